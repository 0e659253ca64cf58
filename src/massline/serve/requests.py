"""One citizen request, from whichever channel (Open311 POST, the public portal), becomes a case.

Why one function: every channel must treat a request the same way — the submission is stored
raw first (nothing lost), then cleaned and checked for duplicates by the intake feature
(:func:`massline.ingest.service.ingest_text`: ``content_hash``, ``duplicate_of``), then analysed
with this installation's analysis pipeline (database routing rules, trained model), then
routed and opened as a work order by :func:`massline.serve.cases.open_work_order`.

Privacy: API keys are never part of ``raw_record`` (the caller drops them); contact details go
only to the work order's staff-only contact record and, as a keyed pseudonym, to the message's
``author_ref`` — never into the message text.

Analysis never blocks intake: without a trained classifier the pipeline runs without category
and route, and any analysis failure leaves the message without automatic results; either way
the case waits in the dispatcher's queue.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from massline.analyze.components import ANALYZE_PIPELINE
from massline.analyze.run import build_analyze_pipeline, message_doc
from massline.core.config import Settings
from massline.core.errors import ModelNotTrainedError
from massline.core.types import Doc
from massline.db.base import utcnow
from massline.db.models.workorders import WorkOrder
from massline.ingest.service import ingest_text
from massline.pipeline import Pipeline
from massline.serve.cases import ContactInfo, Location, open_work_order
from massline.serve.publication import apply_consent
from massline.store.dedup import forget
from massline.store.results import save_results

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


@dataclass
class _Cached:
    pipeline: Pipeline | None
    built: float


_PIPELINES: dict[tuple[str, str, int], _Cached] = {}
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
    ``configs`` overrides component configs as in :func:`massline.analyze.run.build_analyze_pipeline`
    (the web app passes ``app.state.analyze_configs`` when a deployment or a test sets it).
    """
    key = (settings.resolved_database_url(), str(settings.resolved_data_dir()), id(configs) if configs else 0)
    with _LOCK:
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
        return pipeline


def route(category: str | None, doc: Doc | None, prefix: str = "Open311") -> tuple[str | None, float | None, str]:
    """(department code or None for the dispatcher's queue, confidence, why) for a new request.

    Like any message, the analysis pipeline's ``route`` result decides (the classifier's
    category, the routing table and ``settings.route_threshold``). The category the citizen
    chose is the case's category; when the classifier disagrees with it, a dispatcher decides,
    whatever the confidence.
    """
    routed = doc.result("route") if doc is not None else None
    if routed is None or not isinstance(routed.value, dict):
        return None, None, f"{prefix}：市民选择“{category}”，没有分类结果，转人工分拨"
    label, department = routed.value.get("category"), routed.value.get("department")
    if label is not None and label != category:
        return None, routed.confidence, f"{prefix}：市民选择“{category}”，分类器判断为“{label}”，转人工分拨"
    if not department:
        return None, routed.confidence, f"{prefix}：{routed.reason}，转人工分拨"
    return str(department), routed.confidence, f"{prefix}：{routed.reason}"


def _analyse(session: Session, settings: Settings, message_id: int, doc: Doc,
             configs: Mapping[str, Mapping[str, Any]] | None) -> Doc | None:
    """Run analysis and save its results; None when analysis is unavailable or failed."""
    pipeline = analysis_pipeline(settings, session, configs)
    if pipeline is None:
        return None
    try:
        doc = pipeline.pipe([doc])[0]
    except Exception:  # intake never fails because an analysis step did
        log.exception("requests: analysis skipped for message %s", message_id)
        return None
    save_results(session, message_id, doc.results)
    return doc


def _author(contact: ContactInfo | Mapping[str, Any] | None) -> str | None:
    get = contact.get if isinstance(contact, Mapping) else (lambda name: getattr(contact, name, None))
    return next((str(v).strip().lower() for name in AUTHOR_HANDLES if (v := get(name))), None)


def submit_request(
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
    analyze_configs: Mapping[str, Mapping[str, Any]] | None = None,
) -> WorkOrder:
    """Store, clean, deduplicate, analyse and route one citizen request; its new work order (flushed).

    ``raw_record`` is the submission as received without secrets (no API key); a receipt time
    and nonce are added so two identical submissions stay two raw records. Raises
    :class:`massline.core.errors.InputError` (field ``text``) when nothing is left of the text
    after cleaning.
    """
    source_name, source_kind, origin, prefix = CHANNELS[channel]
    text = description or title or category or ""
    received = utcnow()
    record = {**raw_record, "received_at": received.isoformat(), "nonce": secrets.token_hex(8)}
    meta: dict[str, Any] = {"channel": channel, "service_code": service_code, "label": category}
    if location is not None and location.address_string:
        meta["address"] = location.address_string
    if district:
        meta["district"] = district
    message = ingest_text(settings, text, title=title, source_name=source_name, source_kind=source_kind,
                          origin=origin, author=_author(contact), created_at=at, meta=meta, submission=record,
                          session=session)
    try:
        doc = _analyse(session, settings, message.id, message_doc(message), analyze_configs)
        department, confidence, reason = route(category, doc, prefix)
        wo = open_work_order(
            session, message_id=message.id, category=category, department_code=department, confidence=confidence,
            reason=reason, actor=f"api_key:{api_key_id}" if api_key_id is not None else "requester", source=channel,
            location=location, contact=contact, priority=priority, title=title, description=text,
            service_code=service_code, media_url=media_url, attributes=attributes, district=district,
            secret_key=settings.resolved_secret_key(), at=at,
        )
        apply_consent(wo, attributes)  # private unless the requester opted in
        return wo
    except BaseException:
        forget(settings.resolved_database_url())  # the duplicate index may hold this rolled-back message
        raise
