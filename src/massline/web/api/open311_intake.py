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
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.errors import MasslineError
from massline.core.types import Doc
from massline.db.base import utcnow
from massline.db.models.intake import RawItem, Source
from massline.db.models.message import Message
from massline.ingest.records import canonical_json, sha256_hex
from massline.web.api.open311_params import NewRequest

log = logging.getLogger(__name__)
SOURCE_NAME = "open311"


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


@lru_cache(maxsize=1)
def _analysis_pipeline() -> Any:
    """The shipped analysis pipeline, built once per process; None when it is not available."""
    try:
        from massline.analyze.components import ANALYZE_PIPELINE
        from massline.pipeline import build_pipeline

        return build_pipeline(ANALYZE_PIPELINE)
    except (ImportError, MasslineError) as exc:
        log.info("open311: analysis pipeline not available (%s); requests go to triage", exc)
        return None


def analyze_message(session: Session, message: Message) -> Doc | None:
    """Run analysis on the new message and store its results; None when analysis is unavailable."""
    pipeline = _analysis_pipeline()
    if pipeline is None:
        return None
    doc = Doc(text=message.body, title=message.title, language="zh", message_id=message.id)
    try:
        doc = cast(Doc, pipeline(doc))
    except MasslineError as exc:  # e.g. ModelNotTrainedError: intake must not fail for it
        log.info("open311: analysis skipped for message %s: %s", message.id, exc)
        return None
    from massline.store.results import save_results

    save_results(session, message.id, doc.results)
    return doc
