"""A request submitted on the public portal becomes a case, the same way an Open311 request does.

Everything after validation is :func:`massline.serve.requests.receive_request` (raw item first,
cleaning and duplicate linking, the work order with its routing pending); the caller commits and
has it routed on the engine (:func:`massline.web.deps.accept_requests`). The raw item keeps the form
without the requester's contact details: those go only to the work order's staff-only contact
record (and, as a pseudonym, to the message's author).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.db.models.workorders import WorkOrder
from massline.serve.cases import ContactInfo, Location
from massline.serve.requests import receive_request
from massline.web.pages.forms import PublicRequest


def submit_public_request(session: Session, req: PublicRequest, *, settings: Settings) -> WorkOrder:
    """Store a validated portal request; its work order (routing pending; the requester's token)."""
    record = {
        "service_code": req.service_code, "title": req.title, "description": req.description,
        "address_string": req.address_string, "district": req.district, "publish": req.publish,
    }
    return receive_request(
        session, settings, channel="web", service_code=req.service_code, category=req.category, title=req.title,
        description=req.description, location=Location(address_string=req.address_string or None),
        contact=ContactInfo(first_name=req.name or None, email=req.email or None, phone=req.phone or None),
        attributes={"publish": req.publish}, district=req.district or None, raw_record=record,
        at=datetime.now(UTC),
    )
