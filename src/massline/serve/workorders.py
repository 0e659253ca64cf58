"""Hooks other features call into the work-order feature (found by name, so they stay optional there).

``on_triage_decision`` is what ``massline.analyze.routing.handoff`` looks for: a dispatcher decided
a message's category and department, so the case is opened (already assigned) or, when it waits in
the queue, re-categorised and assigned — each change with its event, never a silent column edit.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.db.models.workorders import WorkOrder
from massline.serve._common import Actor, add_event, at_or_now
from massline.serve.cases import open_work_order
from massline.serve.lifecycle import assign
from massline.serve.states import QUEUE_STATUSES


def on_triage_decision(session: Session, *, message_id: int, department_code: str | None, category: str | None,
                       actor: Actor, reason: str | None = None) -> WorkOrder | None:
    """Open or assign the case of ``message_id`` after a dispatcher's decision; None when nothing to do."""
    why = f"分拨决定：{reason}" if reason else "分拨决定"
    wo = session.scalar(select(WorkOrder).where(WorkOrder.message_id == message_id))
    if wo is None:
        return open_work_order(session, message_id=message_id, category=category, department_code=department_code,
                               confidence=1.0, reason=why, actor=actor)
    if category and category != wo.category:
        add_event(session, wo, actor=actor, kind="categorised", at=at_or_now(None),
                  detail={"from_category": wo.category, "category": category}, reason=why)
        wo.category = category
    if department_code and wo.status in QUEUE_STATUSES:
        assign(session, wo, department_code=department_code, actor=actor, reason=why)
    return wo
