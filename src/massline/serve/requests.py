"""One citizen request, from whichever channel (Open311 POST, the public portal), becomes a case.

Durable first, in two steps:

1. :func:`receive_request` — in the caller's transaction, before anything is answered: the
   submission stored raw (nothing lost), cleaned by the intake feature
   (:func:`massline.ingest.service.ingest_text`; its duplicate check — ``content_hash``,
   ``duplicate_of`` — is left to step 2, which runs it for a whole batch of requests), and opened as
   a work order with the requester's category, deadlines counted from receipt and
   ``routing_pending`` set — no department yet, so no department's handler sees it, and the
   requester reads "received, being routed". The caller commits and answers with its id.
2. :func:`finish_routing` — later, on the engine (``massline.engine.tasks.route_request``, inline
   right after the commit or on a worker): the message's duplicate check and analysis (this installation's pipeline,
   database routing rules, trained model) decides the department with :func:`route`, and the case
   is assigned — unless a dispatcher already acted on it, whose decision stands.

Why a step boundary here and not in the web layer: every channel must treat a request the same
way, and this package knows nothing of the engine (imports flow serve → engine never).

Privacy: API keys are never part of ``raw_record`` (the caller drops them); contact details go
only to the work order's staff-only contact record and, as a keyed pseudonym, to the message's
``author_ref`` — never into the message text.

Analysis never blocks intake: without a trained classifier the pipeline runs without category
and route, and an analysis failure leaves the message without automatic results; either way
the case waits in the dispatcher's queue.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session

from massline.analyze.components import ANALYZE_PIPELINE
from massline.analyze.run import build_analyze_pipeline
from massline.core.config import Settings
from massline.core.errors import ModelNotTrainedError
from massline.core.memory import settle
from massline.db.base import utcnow
from massline.db.models.workorders import WorkOrder
from massline.ingest.service import ingest_text
from massline.pipeline import Pipeline
from massline.serve._common import add_event
from massline.serve.cases import ContactInfo, Location, open_work_order
from massline.serve.lifecycle import assign
from massline.serve.publication import consent_fields
from massline.serve.sla import as_utc, load_sla_rules
from massline.store.dedup import forget

log = logging.getLogger(__name__)

Channel = Literal["open311", "web"]
#: channel → (source name, source kind, raw origin, prefix of the routing reason)
CHANNELS: dict[str, tuple[str, str, str, str]] = {
    "open311": ("open311", "open311", "open311:POST /open311/v2/requests", "Open311"),
    "web": ("web-form", "form", "web-form", "网上留言"),
}
REBUILD_SECONDS = 120.0
RETRY_SECONDS = 10.0  # after a failed build
#: Steps that need the trained classifier (route reads the category result).
UNTRAINED_SKIP = frozenset({"analyze.category", "analyze.route"})
#: Contact handles, strongest first: the first one present identifies the author (as a pseudonym).
AUTHOR_HANDLES = ("account_id", "email", "phone", "device_id")
#: What a requester reads while their request waits for its routing task (Chinese first; the
#: pages translate it, ``en``: "Received, being routed").
PENDING_NOTE = "已受理，正在分派"


@dataclass
class _Cached:
    pipeline: Pipeline | None
    built: float


_PIPELINES: dict[tuple[str, str, int], _Cached] = {}
_CONFIGS: dict[str, Mapping[str, Mapping[str, Any]]] = {}
_LOCK = threading.Lock()


def _build(settings: Settings, session: Session, configs: Mapping[str, Mapping[str, Any]] | None) -> Pipeline:
    try:
        return build_analyze_pipeline(settings, session, configs=configs)
    except ModelNotTrainedError as exc:
        log.info("requests: %s; analysing without category and route", exc)
        names = [n for n in ANALYZE_PIPELINE if n not in UNTRAINED_SKIP]
        return build_analyze_pipeline(settings, session, names=names,
                                      configs={n: c for n, c in (configs or {}).items() if n in names})


def analysis_pipeline(settings: Settings, session: Session,
                      configs: Mapping[str, Mapping[str, Any]] | None = None) -> Pipeline | None:
    """The analysis pipeline of this installation, built at most every :data:`REBUILD_SECONDS`.

    Rebuilt periodically so a newly trained model or a changed routing rule takes effect
    without a restart; None (retried after :data:`RETRY_SECONDS`) when it cannot be built.
    ``configs`` overrides component configs as in :func:`massline.analyze.run.build_analyze_pipeline`;
    default: those registered for this database by :func:`use_analyze_configs`.
    """
    url = settings.resolved_database_url()
    with _LOCK:
        configs = configs if configs is not None else _CONFIGS.get(url)
        key = (url, str(settings.resolved_data_dir()), id(configs) if configs else 0)
        cached = _PIPELINES.get(key)
        if cached is not None and time.monotonic() - cached.built < REBUILD_SECONDS:
            return cached.pipeline
        pipeline: Pipeline | None
        try:
            pipeline, built = _build(settings, session, configs), time.monotonic()
        except Exception:  # analysis must never block intake: the case goes to the dispatcher instead
            log.exception("requests: analysis pipeline unavailable; requests go to the dispatcher")
            pipeline, built = None, time.monotonic() - REBUILD_SECONDS + RETRY_SECONDS
        _PIPELINES[key] = _Cached(pipeline, built)
        if pipeline is not None:  # the segmenter's dictionary and the model live as long as the process
            settle("analysis pipeline")  # (a worker builds it before forking its pool: frozen pages stay shared)
        return pipeline


class RouteLike(Protocol):
    """A ``route`` result as analysis returns it (:class:`massline.core.types.Result`) or stores it
    (:class:`massline.db.models.message.AnalysisResult`)."""

    @property
    def value(self) -> Any: ...

    @property
    def confidence(self) -> float | None: ...

    @property
    def reason(self) -> str | None: ...


def use_analyze_configs(database_url: str, configs: Mapping[str, Mapping[str, Any]] | None) -> None:
    """Component config overrides for the pipelines this process builds for ``database_url``.

    Why a registry: the routing task runs by name with JSON arguments (inline, on the embedded
    pool or on a worker), so objects such as a stand-in classifier cannot travel with it. The web
    app registers ``app.state.analyze_configs`` (set by a deployment or a test) before it hands a
    request to the engine; tasks of this process then build their pipeline with them. Celery
    workers are other processes and use their own installation's pipeline.
    """
    with _LOCK:
        if configs:
            _CONFIGS[database_url] = configs
        else:
            _CONFIGS.pop(database_url, None)


def route(category: str | None, routed: RouteLike | None,
          prefix: str = "Open311") -> tuple[str | None, float | None, str]:
    """(department code or None for the dispatcher's queue, confidence, why) for a new request.

    Like any message, the analysis pipeline's ``route`` result decides (the classifier's
    category, the routing table and ``settings.route_threshold``). The category the citizen
    chose is the case's category; when the classifier disagrees with it, a dispatcher decides,
    whatever the confidence.
    """
    if routed is None or not isinstance(routed.value, dict):
        return None, None, f"{prefix}：市民选择“{category}”，没有分类结果，转人工分拨"
    label, department = routed.value.get("category"), routed.value.get("department")
    if label is not None and label != category:
        return None, routed.confidence, f"{prefix}：市民选择“{category}”，分类器判断为“{label}”，转人工分拨"
    if not department:
        return None, routed.confidence, f"{prefix}：{routed.reason}，转人工分拨"
    return str(department), routed.confidence, f"{prefix}：{routed.reason}"


def _author(contact: ContactInfo | Mapping[str, Any] | None) -> str | None:
    get = contact.get if isinstance(contact, Mapping) else (lambda name: getattr(contact, name, None))
    return next((str(v).strip().lower() for name in AUTHOR_HANDLES if (v := get(name))), None)


def receive_request(
    session: Session,
    settings: Settings,
    *,
    channel: Channel,
    service_code: str | None,
    category: str | None,
    title: str | None,
    description: str | None,
    location: Location | None = None,
    contact: ContactInfo | Mapping[str, Any] | None = None,
    attributes: Mapping[str, Any] | None = None,
    district: str | None = None,
    raw_record: Mapping[str, Any],
    api_key_id: int | None = None,
    priority: str = "normal",
    media_url: str | None = None,
    at: datetime | None = None,
) -> WorkOrder:
    """Store, clean and deduplicate one citizen request and open its work order, routing pending
    (flushed; the caller commits, then has it routed — :func:`finish_routing`).

    ``raw_record`` is the submission as received without secrets (no API key); intake adds a
    receipt time and nonce so two identical submissions stay two raw records. The deadlines run from
    receipt. Raises :class:`massline.core.errors.InputError` (field ``text``) when nothing is left
    of the text after cleaning.
    """
    source_name, source_kind, origin, prefix = CHANNELS[channel]
    text = description or title or category or ""
    meta: dict[str, Any] = {"channel": channel, "service_code": service_code, "label": category}
    if location is not None and location.address_string:
        meta["address"] = location.address_string
    if district:
        meta["district"] = district
    try:
        message = ingest_text(settings, text, title=title, source_name=source_name, source_kind=source_kind,
                              origin=origin, author=_author(contact), created_at=at, meta=meta, submission=raw_record,
                              session=session, link_duplicates=False)
        wo = open_work_order(
            session, message_id=message.id, category=category, reason=f"{prefix}：{PENDING_NOTE}",
            actor=f"api_key:{api_key_id}" if api_key_id is not None else "requester", source=channel,
            location=location, contact=contact, priority=priority, title=title, description=text,
            service_code=service_code, media_url=media_url, attributes=attributes, district=district,
            secret_key=settings.resolved_secret_key(), at=at, fresh=True,
            fields={"routing_pending": True, **consent_fields(attributes)},  # private unless the requester opted in
        )
        return wo
    except BaseException:
        forget(settings.resolved_database_url())  # the duplicate index may hold this rolled-back message
        raise


def finish_routing(session: Session, wo: WorkOrder, routed: RouteLike | None, *,
                   actor: str = "system:routing") -> str | None:
    """Route a received request from its analysis (``routed``: the message's current ``route``
    result, None when analysis gave none); the department it was assigned to, or None.

    Idempotent: a case whose routing is no longer pending is left alone. A case a dispatcher
    already took out of the queue (assigned, merged, closed …) keeps that decision; only the
    route's confidence and reason are recorded. A case that came without a category (a reader's
    question) takes the analysed one, its deadlines recomputed from receipt, and waits for a
    dispatcher (nobody chose a service the classifier could agree with).
    """
    if not wo.routing_pending:
        return None
    wo.routing_pending = False
    prefix = CHANNELS[wo.source][3] if wo.source in CHANNELS else "系统"
    chosen = wo.category  # what the requester chose: the classifier must agree with it to assign
    if chosen is None and routed is not None and isinstance(routed.value, dict) and routed.value.get("category"):
        wo.category = str(routed.value["category"])
        wo.due_response_at, wo.due_close_at = load_sla_rules(session=session).due_dates(
            as_utc(wo.created_at), wo.category, wo.priority)
    department, confidence, reason = route(chosen, routed, prefix)
    wo.route_confidence, wo.route_reason = confidence, reason
    if department is None or wo.status != "new" or wo.lead_department_id is not None:
        add_event(session, wo, actor=actor, kind="routed", at=utcnow(), detail={"confidence": confidence},
                  reason=reason)
        return None
    assign(session, wo, department_code=department, actor=actor, reason=reason)
    return department
