"""Adapters from the staff pages to the triage and work-order services, and the lists they show.

Each function names the service it calls; the permission, state-machine and privacy rules are
those services' job, the pages only present them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.analyze.routing import decide as route_decide
from massline.analyze.routing import triage_queue
from massline.db.models.message import Message
from massline.db.models.users import Department, User
from massline.db.models.workorders import WorkOrder
from massline.privacy import mask_text
from massline.serve import lifecycle
from massline.serve._common import cohandler_ids
from massline.serve.queries import get_work_order, handled_by
from massline.serve.roles import can
from massline.serve.sla import sla_status
from massline.serve.states import allowed_actions
from massline.web.pages.queries import CATEGORY_KEY, current_results
from massline.web.pages.security import PageUser

Mask = Callable[[str | None], str]


@dataclass(slots=True)
class TriageItem:
    message_id: int
    title: str
    snippet: str
    category: str | None
    confidence: float | None
    reason: str
    department: str | None
    work_order_id: int | None


def _field(item: Any, *names: str) -> Any:
    for name in names:
        if isinstance(item, dict) and name in item:
            return item[name]
        if hasattr(item, name):
            return getattr(item, name)
    return None


def triage_items(session: Session, *, mask: Mask, limit: int = 50) -> list[TriageItem]:
    """The dispatcher's queue from ``massline.analyze.routing.triage_queue``, masked for the viewer."""
    items = list(triage_queue(session, limit=limit))
    ids = [int(_field(i, "message_id", "id")) for i in items]
    messages = {m.id: m for m in session.scalars(select(Message).where(Message.id.in_(ids)))} if ids else {}
    results = current_results(session, ids, (CATEGORY_KEY,))
    orders = dict(session.execute(select(WorkOrder.message_id, WorkOrder.id).where(WorkOrder.message_id.in_(ids))).all()
                  ) if ids else {}
    out: list[TriageItem] = []
    for item, mid in zip(items, ids, strict=True):
        m = messages.get(mid)
        cat = results.get(mid, {}).get(CATEGORY_KEY)
        category = _field(item, "category", "suggested_category")
        if category is None and cat is not None:
            category = cat.value
        confidence = _field(item, "confidence")
        out.append(TriageItem(
            message_id=mid,
            title=mask(m.title if m else "") or mask((m.body if m else "")[:40]),
            snippet=mask(" ".join((m.body if m else "").split())[:120]),
            category=None if category is None else str(category),
            confidence=None if confidence is None else float(confidence),
            reason=mask(str(_field(item, "reason") or (cat.reason if cat is not None else ""))),
            department=_field(item, "department_name", "department_code", "department"),
            work_order_id=orders.get(mid),
        ))
    return out


def decide(session: Session, message_id: int, *, category: str | None, actor: User, reason: str | None) -> int | None:
    """Confirm or change a route through ``massline.analyze.routing.decide``; returns the work order id."""
    result = route_decide(session, message_id, category=category, actor=actor.username, reason=reason)
    wo_id = _field(result, "work_order_id")
    if wo_id is None:
        wo_id = session.scalar(select(WorkOrder.id).where(WorkOrder.message_id == message_id))
    return None if wo_id is None else int(wo_id)


@dataclass(slots=True)
class WorkOrderRow:
    id: int
    title: str
    category: str | None
    status: str
    department: str | None
    created_at: datetime | None
    deadline: str


def deadline_state(wo: WorkOrder) -> Any:
    """``massline.serve.sla.sla_status`` of the case."""
    return sla_status(wo)


def work_order_rows(session: Session, user: PageUser, *, status: str, mask: Mask, limit: int = 100
                    ) -> list[WorkOrderRow]:
    """Newest cases visible to ``user`` (a handler: their department leads or co-handles), optionally one status."""
    stmt = select(WorkOrder, Department.name).outerjoin(Department, Department.id == WorkOrder.lead_department_id)
    if status:
        stmt = stmt.where(WorkOrder.status == status)
    if user.role == "handler":
        stmt = stmt.where(handled_by(user.department_id))
    rows = session.execute(stmt.order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc()).limit(limit)).all()
    out = []
    for wo, dep in rows:
        sla = deadline_state(wo)
        out.append(WorkOrderRow(wo.id, mask(wo.title or wo.description[:40]), wo.category, wo.status, dep,
                                wo.created_at, sla.state if sla is not None else ""))
    return out


def can_reply(session: Session, actor: User, wo: WorkOrder) -> bool | None:
    """True: show the reply box; None: the role may reply but not in this status; False: never."""
    if not can(actor, "reply", wo, cohandler_ids=cohandler_ids(session, wo)):
        return False
    return True if "reply" in allowed_actions(wo.status) else None


def visible_work_order(session: Session, work_order_id: int, actor: User) -> WorkOrder:
    """The case if ``actor`` may see it (``massline.serve.queries.get_work_order`` checks role and department)."""
    return get_work_order(session, work_order_id, actor)


def reply(session: Session, work_order_id: int, *, actor: User, text: str, public: bool) -> None:
    """``massline.serve.lifecycle.reply`` (permission, state machine, PII check and masked copy are its job)."""
    wo = get_work_order(session, work_order_id, actor)
    lifecycle.reply(session, wo, text=text, public=public, actor=actor)


def pii_check(text: str, find: Callable[[str], Sequence[Any]]) -> dict[str, Any]:
    """What a draft reply contains (types found) and how the public will read it."""
    found = list(find(text)) if text.strip() else []
    return {
        "found": sorted({str(getattr(f, "type", "")) for f in found}),
        "count": len(found),
        "public_text": mask_text(text, "public") if text.strip() else "",
        "checked": bool(text.strip()),
    }
