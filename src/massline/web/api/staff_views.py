"""Rows → staff API schemas, with the caller's masking and the actions they may take now.

Texts go through :func:`massline.privacy.mask_text` for the ``staff`` output and the caller's
role (masked for staff, keyed pseudonyms for analysts); the raw text is only reachable
through the audited raw view of the messages API.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.db.models.users import User
from massline.db.models.workorders import WorkOrder
from massline.privacy import mask_text
from massline.serve._common import cohandler_ids
from massline.serve.departments import list_departments
from massline.serve.queries import cohandlers_of, current_rating, events_of, replies_of
from massline.serve.roles import can
from massline.serve.sla import overdue_clause, sla_status
from massline.serve.states import allowed_actions
from massline.web.api.schemas.workorders import EventPublic, ReplyPublic, WorkOrderDetail, WorkOrderPublic

MAX_OVERDUE = 10_000


def staff_text(settings: Settings, user: User, text: str | None) -> str:
    return mask_text(text or "", "staff", role=user.role, secret=settings.resolved_secret_key()) if text else ""


def _department_codes(session: Session) -> dict[int, str]:
    return {d.id: d.code for d in list_departments(session)}


def _actions(session: Session, wo: WorkOrder, user: User) -> list[str]:
    co = cohandler_ids(session, wo)
    names = [a for a in allowed_actions(wo.status) if can(user, a, wo, cohandler_ids=co)]
    if wo.status not in ("new", "returned", "closed") and can(user, "add_cohandler", wo, cohandler_ids=co):
        names.append("add_cohandler")
    return sorted(names)


def work_order_public(session: Session, settings: Settings, wo: WorkOrder, user: User,
                      codes: dict[int, str] | None = None) -> WorkOrderPublic:
    codes = codes if codes is not None else _department_codes(session)
    sla = sla_status(wo)
    return WorkOrderPublic(
        id=wo.id, status=wo.status, source=wo.source, title=staff_text(settings, user, wo.title) or None,
        category=wo.category, service_code=wo.service_code, priority=wo.priority, district=wo.district,
        description=staff_text(settings, user, wo.description),
        lead_department=codes.get(wo.lead_department_id) if wo.lead_department_id else None,
        cohandlers=[codes.get(c.department_id, str(c.department_id)) for c in cohandlers_of(session, wo)
                    if c.role == "co"],
        route_confidence=wo.route_confidence, routing_pending=wo.routing_pending, created_at=wo.created_at,
        updated_at=wo.updated_at,
        first_response_at=wo.first_response_at, replied_at=wo.replied_at, closed_at=wo.closed_at,
        close_reason=wo.close_reason, due_response_at=wo.due_response_at, due_close_at=wo.due_close_at,
        sla={"response": sla.response, "close": sla.close, "state": sla.state,
             "escalation_level": sla.escalation_level},
        overdue=sla.state == "overdue", merged_into_id=wo.merged_into_id, reopen_count=wo.reopen_count,
        allowed_actions=_actions(session, wo, user),
    )


def work_order_detail(session: Session, settings: Settings, wo: WorkOrder, user: User) -> WorkOrderDetail:
    codes = _department_codes(session)
    base = work_order_public(session, settings, wo, user, codes)
    events = [EventPublic(at=e.at, actor=e.actor, kind=e.kind, from_status=e.from_status, to_status=e.to_status,
                          department=codes.get(e.department_id) if e.department_id else None,
                          reason=staff_text(settings, user, e.reason) or None)
              for e in events_of(session, wo)]
    replies = [ReplyPublic(id=r.id, at=r.at, author=r.author, public=r.public, text=staff_text(settings, user, r.text),
                           pii_found=list((r.pii_check or {}).get("found", [])))
               for r in replies_of(session, wo)]
    rating = current_rating(session, wo)
    return WorkOrderDetail(**base.model_dump(), events=events, replies=replies,
                           rating=rating.value if rating else None)


def overdue_ids(session: Session, now: datetime | None = None) -> list[int]:
    """Ids of open overdue cases (``massline.serve.sla.overdue_clause``: the one definition)."""
    query = select(WorkOrder.id).where(overdue_clause(now)).limit(MAX_OVERDUE)
    return list(session.scalars(query))
