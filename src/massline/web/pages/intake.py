"""A request submitted on the public portal becomes a raw item, a message and a work order.

Why all three: the raw item keeps the submission verbatim (nothing lost), the message puts it in
the staff inbox beside every other channel, and the work order gives the requester a token to
follow it. The requester's contact details go only to the staff-only contact record of the
work order (through ``massline.serve.cases.open_work_order``), never into the raw item or the
message text.

The new message is analysed and routed exactly like an Open311 request (the Open311 feature's
``analyze_message`` and ``route``): the category the citizen chose is the case's category, and a
confident classifier that agrees sends it straight to the department; otherwise it waits for a
dispatcher.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.core.types import Doc
from massline.db.models.message import Message
from massline.ingest.records import canonical_json
from massline.store.messages import Pending, to_message
from massline.store.raw import get_or_create_source, store_raw
from massline.web.pages.forms import PublicRequest
from massline.web.pages.services import ServiceUnavailable, lookup

SOURCE_NAME = "web-form"


def submit_public_request(session: Session, req: PublicRequest, *, settings: Settings) -> str:
    """Store a validated portal request; returns the requester's token."""
    open_work_order = lookup("massline.serve.cases:open_work_order")
    now = datetime.now(UTC)
    source = get_or_create_source(session, SOURCE_NAME, "form")
    record = {
        "service_code": req.service_code, "title": req.title, "description": req.description,
        "address_string": req.address_string, "district": req.district, "public_reply": req.public_reply,
        "received_at": now.isoformat(), "submission": secrets.token_hex(8),
    }
    raw, _ = store_raw(session, source_id=source.id, origin="web-form", content=canonical_json(record),
                       content_type="application/json")
    doc = Doc(text=req.description, title=req.title, language="zh",
              meta={"channel": "web", "service_code": req.service_code, "label": req.category,
                    "address": req.address_string, **({"district": req.district} if req.district else {})})
    message = to_message(Pending(doc=doc, source_id=source.id, raw_item_id=raw.id, original_title=req.title,
                                 created_at=now))
    session.add(message)
    session.flush()
    raw.status = "processed"
    department, confidence, reason = _analyse_and_route(session, settings, message, req)
    contact = {"first_name": req.name or None, "email": req.email or None, "phone": req.phone or None}
    wo = open_work_order(
        session, message_id=message.id, category=req.category, source="web", service_code=req.service_code,
        department_code=department, confidence=confidence, reason=reason,
        location={"address_string": req.address_string}, contact=contact, district=req.district or None,
        attributes={"public_reply": req.public_reply}, actor="requester",
        secret_key=settings.resolved_secret_key(), at=now,
    )
    return str(wo.token)


def _analyse_and_route(session: Session, settings: Settings, message: Message,
                       req: PublicRequest) -> tuple[str | None, float | None, str | None]:
    try:
        analyze = lookup("massline.web.api.open311_intake:analyze_message")
        route = lookup("massline.web.api.open311_store:route")
        service = lookup("massline.web.api.open311_services:get_service")(req.service_code)
    except ServiceUnavailable:
        return None, None, "web form: analysis not installed → dispatcher"
    department, confidence, reason = route(service, analyze(session, settings, message))
    return department, confidence, str(reason).replace("open311:", "web form:", 1)
