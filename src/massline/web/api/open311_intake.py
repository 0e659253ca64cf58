"""An Open311 POST enters like every other input: raw record first, then a message, then analysis.

Why this thin adapter lives in the web layer: the intake feature stores files, pages and
feeds; one submitted form is a simpler case (one record, no reader). It writes the same
foundation rows (:class:`Source` kind ``open311`` → :class:`RawItem` → :class:`Message`), so
deduplication, analysis and exports treat Open311 requests like any other message.

The raw record keeps the form as received *minus the API key* (a secret, never stored)
and plus a receipt nonce, so two identical submissions stay two records. Contact fields
are in the raw record (staff-only, like any raw input) and become a pseudonym
(``author_ref``, keyed hash) on the message.

Analysis runs the shipped analysis pipeline when it is available; a missing or untrained
model never blocks intake: the message simply has no automatic results and the work order
goes to the dispatcher's queue as any low-confidence message would.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.core.errors import ModelNotTrainedError
from massline.core.types import Doc
from massline.db.base import utcnow
from massline.db.models.intake import RawItem, Source
from massline.db.models.message import Message
from massline.ingest.records import canonical_json, sha256_hex
from massline.pipeline import Pipeline
from massline.web.api.open311_params import NewRequest

log = logging.getLogger(__name__)
SOURCE_NAME = "open311"
REBUILD_SECONDS = 120.0
RETRY_SECONDS = 10.0  # after a failed build
#: Steps that need the trained classifier (route reads the category result).
UNTRAINED_SKIP = frozenset({"analyze.category", "analyze.route"})


def _source(session: Session) -> Source:
    source = session.scalar(select(Source).where(Source.name == SOURCE_NAME))
    if source is None:
        source = Source(name=SOURCE_NAME, kind="open311", url="/open311/v2/requests")
        session.add(source)
        session.flush()
    return source


def author_ref(contact: dict[str, str], secret: str) -> str | None:
    """A keyed hash of the strongest contact handle: same person → same ref, not reversible."""
    handle = contact.get("account_id") or contact.get("email") or contact.get("phone") or contact.get("device_id")
    if not handle:
        return None
    return hmac.new(secret.encode(), handle.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


def store_raw_request(session: Session, req: NewRequest, *, title: str | None, api_key_id: int,
                      secret: str) -> Message:
    """RawItem (the form as received, without the API key) and its Message, flushed."""
    received = utcnow()
    form: dict[str, Any] = {
        "service_code": req.service_code, "lat": req.lat, "long": req.long, "address_string": req.address_string,
        "address_id": req.address_id, "description": req.description, "media_url": req.media_url,
        "attribute": req.attributes, **req.contact,
    }
    record = {"form": form, "received_at": received.isoformat(), "api_key_id": api_key_id,
              "nonce": secrets.token_hex(8)}
    content = canonical_json(record)
    source = _source(session)
    raw = RawItem(source_id=source.id, origin="open311:POST /open311/v2/requests", locator=f"api_key {api_key_id}",
                  content_type="application/json", content=content, sha256=sha256_hex(content),
                  received_at=received, status="processed")
    session.add(raw)
    session.flush()
    body = req.description or (title or "")
    message = Message(
        source_id=source.id, raw_item_id=raw.id, title=title, body=body, original=body, original_title=title,
        language="zh", content_type="text/plain", author_ref=author_ref(req.contact, secret), created_at=received,
        received_at=received, meta={"channel": "open311", "service_code": req.service_code},
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
    )
    session.add(message)
    session.flush()
    return message


@dataclass
class _Cached:
    pipeline: Pipeline | None
    built: float
    complete: bool


_PIPELINES: dict[tuple[str, str, int], _Cached] = {}
_LOCK = threading.Lock()


def _build(settings: Settings, session: Session,
           configs: Mapping[str, Mapping[str, Any]] | None) -> tuple[Pipeline | None, bool]:
    """(pipeline, complete?) — without category and route when no classifier is trained."""
    try:
        from massline.analyze.components import ANALYZE_PIPELINE
        from massline.analyze.run import build_analyze_pipeline
    except ImportError as exc:
        log.info("open311: analysis not installed (%s); requests go to the dispatcher", exc)
        return None, False
    try:
        return build_analyze_pipeline(settings, session, configs=configs), True
    except ModelNotTrainedError as exc:
        log.info("open311: %s; analysing without category and route", exc)
        names = [n for n in ANALYZE_PIPELINE if n not in UNTRAINED_SKIP]
        configs = {n: c for n, c in (configs or {}).items() if n in names}
        return build_analyze_pipeline(settings, session, names=names, configs=configs), False


def analysis_pipeline(settings: Settings, session: Session,
                      configs: Mapping[str, Mapping[str, Any]] | None = None) -> Pipeline | None:
    """The analysis pipeline of this installation, built at most every :data:`REBUILD_SECONDS`.

    Rebuilt periodically so a newly trained model or a changed routing rule takes effect
    without a restart. Without a trained classifier the pipeline runs without the category
    and route steps (the case then waits for a dispatcher, like any unclassified message).
    ``configs`` overrides component configs as in ``massline.analyze.run.build_analyze_pipeline``
    (the app passes ``app.state.analyze_configs`` when a deployment sets it).
    """
    key = (settings.resolved_database_url(), str(settings.resolved_data_dir()), id(configs) if configs else 0)
    with _LOCK:
        cached = _PIPELINES.get(key)
        if cached is not None and time.monotonic() - cached.built < REBUILD_SECONDS:
            return cached.pipeline
        try:
            pipeline, complete = _build(settings, session, configs)
            built = time.monotonic()
        except Exception:  # analysis must never block intake: the case goes to the dispatcher instead
            log.exception("open311: analysis pipeline unavailable; requests go to the dispatcher")
            pipeline, complete = None, False
            built = time.monotonic() - REBUILD_SECONDS + RETRY_SECONDS
        _PIPELINES[key] = _Cached(pipeline, built, complete)
        return pipeline


def analyze_message(session: Session, settings: Settings, message: Message,
                    configs: Mapping[str, Mapping[str, Any]] | None = None) -> Doc | None:
    """Run analysis on the new message and store its results; None when analysis is unavailable."""
    pipeline = analysis_pipeline(settings, session, configs)
    if pipeline is None:
        return None
    doc = Doc(text=message.body, title=message.title, language="zh", message_id=message.id,
              meta=dict(message.meta or {}))
    try:
        doc = pipeline.pipe([doc])[0]
    except Exception:  # intake never fails because an analysis step did
        log.exception("open311: analysis skipped for message %s", message.id)
        return None
    from massline.store.results import save_results

    save_results(session, message.id, doc.results)
    return doc
