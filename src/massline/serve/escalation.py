"""Escalation: overdue cases are escalated up the department tree, once per level, with an event and
an in-app notification; and the dispatcher's overdue/escalated list.

Why a sweep: "overdue" is a function of time, so nothing happens at the moment a deadline passes.
:func:`escalate_overdue` (``massline workorders escalate``, run from cron or the task engine) looks
at the open overdue cases (:func:`massline.serve.sla.overdue_clause` — the one definition) and, for
each whose level (:func:`massline.serve.sla.sla_status`) is above what was already acted on
(``work_orders.escalation_level``), records an ``escalated`` event on the case and notifies the
lead department and the department it escalates to. Running it twice does nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from massline.core.clock import fmt_local
from massline.db.models.deadlines import Notification
from massline.db.models.users import Department, User
from massline.db.models.workorders import WorkOrder
from massline.serve._common import add_event
from massline.serve.departments import escalation_chain
from massline.serve.queries import visible_cases
from massline.serve.sla import SLA_STATE_LABELS, SlaRules, SlaStatus, as_utc, load_sla_rules, overdue_clause, sla_status
from massline.serve.states import STATUS_LABELS

LEVEL_LABELS = {0: "未督办", 1: "一级督办（上级部门）", 2: "二级督办（再上一级）"}


@dataclass(frozen=True)
class Escalation:
    work_order_id: int
    level: int
    to_department: str | None  # code of the department it escalated to (None: no level above)
    notified: list[int]  # department ids notified


@dataclass(frozen=True)
class OverdueCase:
    """One line of the dispatcher's overdue/escalated list."""

    work_order: WorkOrder
    status: SlaStatus
    department: str | None  # lead department name
    escalated_to: str | None  # name of the department it is escalated to

    def as_dict(self) -> dict[str, Any]:
        wo, st = self.work_order, self.status
        return {"id": wo.id, "title": wo.title, "status": wo.status, "status_label": STATUS_LABELS.get(wo.status),
                "department": self.department, "state": st.state, "state_label": SLA_STATE_LABELS[st.state],
                "escalation_level": wo.escalation_level, "escalation_label": LEVEL_LABELS.get(wo.escalation_level),
                "escalated_to": self.escalated_to, "due_response_at": fmt_local(st.due_response_at),
                "due_close_at": fmt_local(st.due_close_at),
                "overdue_hours": round(st.overdue_by.total_seconds() / 3600, 1) if st.overdue_by else None}


def _notify(session: Session, *, key: str, department_id: int | None, wo: WorkOrder, text: str,
            detail: dict[str, Any]) -> bool:
    if session.scalar(select(Notification.id).where(Notification.key == key)) is not None:
        return False
    session.add(Notification(key=key, kind="escalation", department_id=department_id, work_order_id=wo.id,
                             text=text, detail=detail))
    return True


def escalate_overdue(session: Session, now: datetime | None = None, *, rules: SlaRules | None = None,
                     actor: str = "system:escalation") -> list[Escalation]:
    """Escalate every open overdue case whose level rose since the last sweep (idempotent)."""
    now = as_utc(now or datetime.now(UTC))
    rules = rules or load_sla_rules(session=session)
    done: list[Escalation] = []
    cases = session.scalars(select(WorkOrder).where(overdue_clause(now)).order_by(WorkOrder.id)).all()
    for wo in cases:
        st = sla_status(wo, now, rules=rules)
        if st.escalation_level <= wo.escalation_level:
            continue
        level = st.escalation_level
        chain = escalation_chain(session, wo.lead_department_id)
        target = chain[min(level, len(chain)) - 1] if chain else None
        lead = session.get(Department, wo.lead_department_id) if wo.lead_department_id else None
        hours = round(st.overdue_by.total_seconds() / 3600, 1) if st.overdue_by else 0.0
        text = (f"工单 {wo.id}「{(wo.title or wo.description or '')[:30]}」已超时 {hours} 小时，"
                f"{LEVEL_LABELS[level]}：{target.name if target else '（无上级部门）'}")
        detail = {"level": level, "to_department": target.code if target else None, "overdue_hours": hours,
                  "state": st.state}
        add_event(session, wo, actor=actor, kind="escalated", at=now, department_id=target.id if target else None,
                  detail=detail, reason=text)
        notified = []
        for dep_id in {d for d in (target.id if target else None, lead.id if lead else None)}:
            if _notify(session, key=f"escalation:{wo.id}:{level}:{dep_id}", department_id=dep_id, wo=wo, text=text,
                       detail=detail):
                notified.append(dep_id)
        if not notified:  # no department at all (a case still in the queue): the dispatchers' inbox
            _notify(session, key=f"escalation:{wo.id}:{level}:dispatch", department_id=None, wo=wo, text=text,
                    detail=detail)
        wo.escalation_level = level
        done.append(Escalation(wo.id, level, target.code if target else None, [d for d in notified if d]))
    session.flush()
    return done


def overdue_cases(session: Session, *, user: User | None = None, now: datetime | None = None,
                  limit: int = 200) -> list[OverdueCase]:
    """Open cases that are overdue or were escalated, most escalated and most late first (department walls apply)."""
    now = as_utc(now or datetime.now(UTC))
    rules = load_sla_rules(session=session)
    stmt = visible_cases(select(WorkOrder), user).where(
        or_(overdue_clause(now), (WorkOrder.escalation_level > 0) & (WorkOrder.status != "closed")))
    rows = cast(list[WorkOrder], list(session.scalars(
        stmt.order_by(WorkOrder.escalation_level.desc(), WorkOrder.due_close_at, WorkOrder.id).limit(limit))))
    names = dict(session.execute(select(Department.id, Department.name)).all())
    out = []
    for wo in rows:
        st = sla_status(wo, now, rules=rules)
        chain = escalation_chain(session, wo.lead_department_id) if wo.escalation_level else []
        target = chain[min(wo.escalation_level, len(chain)) - 1] if chain else None
        out.append(OverdueCase(wo, st, names.get(wo.lead_department_id or 0), target.name if target else None))
    return out


def notifications(session: Session, *, user: User | None = None, unread_only: bool = False,
                  limit: int = 100) -> list[Notification]:
    """In-app notifications for ``user``: their department's (handlers), all (administrators, dispatchers)."""
    stmt = select(Notification).order_by(Notification.created_at.desc(), Notification.id.desc())
    if user is not None and user.role == "handler":
        stmt = stmt.where(or_(Notification.department_id == user.department_id, Notification.user_id == user.id))
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(session.scalars(stmt.limit(limit)))


def mark_read(session: Session, notification_id: int, *, user: User | None = None) -> None:
    row = session.get(Notification, notification_id)
    if row is None or (user is not None and user.role == "handler" and row.department_id != user.department_id):
        return
    row.read_at = row.read_at or datetime.now(UTC)
