"""A request submitted on the public portal becomes a case, the same way an Open311 request does.

Everything after validation is :func:`massline.serve.requests.submit_request` (raw item first,
cleaning and duplicate linking, analysis, routing, work order). The raw item keeps the form
without the requester's contact details: those go only to the work order's staff-only contact
record (and, as a pseudonym, to the message's author).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.serve.cases import ContactInfo, Location
from massline.serve.requests import submit_request
from massline.web.pages.forms import PublicRequest


def submit_public_request(session: Session, req: PublicRequest, *, settings: Settings,
                          analyze_configs: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """Store a validated portal request; returns the requester's token."""
    record = {
        "service_code": req.service_code, "title": req.title, "description": req.description,
        "address_string": req.address_string, "district": req.district, "publish": req.publish,
    }
    wo = submit_request(
        session, settings, channel="web", service_code=req.service_code, category=req.category, title=req.title,
        description=req.description, location=Location(address_string=req.address_string or None),
        contact=ContactInfo(first_name=req.name or None, email=req.email or None, phone=req.phone or None),
        attributes={"publish": req.publish}, district=req.district or None, raw_record=record,
        at=datetime.now(UTC), analyze_configs=analyze_configs,
    )
    return str(wo.token)
