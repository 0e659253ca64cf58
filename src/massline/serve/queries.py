"""Reading cases with permissions applied in SQL, so a handler's lists never contain other departments' cases.

A case a user may not see is reported as *not found* (``NotFoundError``), not as forbidden,
so ids cannot be probed; ``PermissionDenied`` is for roles that may not read cases at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session

from massline.core.clock import iso_local
from massline.core.errors import NotFoundError, PermissionDenied
from massline.db.models.message import Message
from massline.db.models.users import Department, User
from massline.db.models.workorders import CoHandler, Contact, Rating, Reply, WorkOrder, WorkOrderEvent
from massline.db.repositories.audit import record_audit
from massline.serve._common import cohandler_ids
from massline.serve.departments import escalation_chain
from massline.serve.roles import can
from massline.serve.sla import as_utc, sla_status
from massline.serve.states import QUEUE_STATUSES, STATUS_LABELS


@dataclass(frozen=True)
class WorkOrderFilter:
    """Filters of :func:`list_work_orders` (all optional, combined with AND)."""

    ids: Sequence[int] | None = None
    status: Sequence[str] | None = None
    category: str | None = None
    service_code: Sequence[str] | None = None
    department_code: str | None = None  # lead department
    district: str | None = None
    created_from: datetime | None = None  # inclusive
    created_to: datetime | None = None  # exclusive
    queue: bool = False  # only the dispatcher's queue (new / returned)
    text: str | None = None  # substring of title or description


def handled_by(department_id: int | None) -> ColumnElement[bool]:
    """SQL condition on ``WorkOrder``: ``department_id`` leads the case or actively co-handles it.

    The one definition of a handler's department wall; the pages reuse it for messages (a handler
    sees a message only through a case of their department).
    """
    co = exists().where(CoHandler.work_order_id == WorkOrder.id, CoHandler.department_id == department_id,
                        CoHandler.active.is_(True))
    return or_(WorkOrder.lead_department_id == department_id, co)


def _visible(stmt: Select[tuple[WorkOrder]], user: User | None) -> Select[tuple[WorkOrder]]:
    if user is None:
        return stmt
    if not can(user, "list"):
        raise PermissionDenied(f"user {user.username!r} (role {user.role}) may not read work orders")
    if user.role != "handler":
        return stmt
    return stmt.where(handled_by(user.department_id))


#: The department wall as a query filter, for other modules' lists (the escalation list).
visible_cases = _visible


def _filtered(f: WorkOrderFilter, user: User | None) -> Select[tuple[WorkOrder]]:
    stmt = _visible(select(WorkOrder), user)
    if f.ids is not None:
        stmt = stmt.where(WorkOrder.id.in_(list(f.ids)))
    if f.status:
        stmt = stmt.where(WorkOrder.status.in_(list(f.status)))
    if f.queue:
        stmt = stmt.where(WorkOrder.status.in_(sorted(QUEUE_STATUSES)))
    if f.category:
        stmt = stmt.where(WorkOrder.category == f.category)
    if f.service_code:
        stmt = stmt.where(WorkOrder.service_code.in_(list(f.service_code)))
    if f.department_code:
        stmt = stmt.join(Department, Department.id == WorkOrder.lead_department_id).where(
            Department.code == f.department_code)
    if f.district:
        stmt = stmt.where(WorkOrder.district == f.district)
    if f.created_from:
        stmt = stmt.where(WorkOrder.created_at >= as_utc(f.created_from))
    if f.created_to:
        stmt = stmt.where(WorkOrder.created_at < as_utc(f.created_to))
    if f.text:
        like = f"%{f.text}%"
        stmt = stmt.where(or_(WorkOrder.title.like(like), WorkOrder.description.like(like)))
    return stmt


def list_work_orders(session: Session, *, user: User | None = None, filters: WorkOrderFilter | None = None,
                     limit: int = 100, offset: int = 0, newest_first: bool = True) -> list[WorkOrder]:
    """Cases ``user`` may see (``user=None``: a trusted caller, no restriction), filtered and paged."""
    order = WorkOrder.created_at.desc() if newest_first else WorkOrder.created_at.asc()
    stmt = _filtered(filters or WorkOrderFilter(), user).order_by(order, WorkOrder.id.desc())
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def count_work_orders(session: Session, *, user: User | None = None, filters: WorkOrderFilter | None = None) -> int:
    stmt = _filtered(filters or WorkOrderFilter(), user).with_only_columns(func.count(WorkOrder.id)).order_by(None)
    return int(session.scalar(stmt) or 0)


def case_records(session: Session, *, status: Sequence[str] | None = None, department: str | None = None,
                 limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """Cases as plain records for ``massline workorders list`` (oldest first), times in the display zone.

    ``due_at`` is the close deadline; ``external_id`` the source message's own id (留言编号).
    """
    stmt = (select(WorkOrder, Message.external_id, Department.code)
            .outerjoin(Message, Message.id == WorkOrder.message_id)
            .outerjoin(Department, Department.id == WorkOrder.lead_department_id)
            .order_by(WorkOrder.created_at, WorkOrder.id))
    if status:
        stmt = stmt.where(WorkOrder.status.in_(list(status)))
    if department:
        stmt = stmt.where(Department.code == department)
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return [{"id": wo.id, "message_id": wo.message_id, "external_id": external_id, "department": code,
             "status": wo.status, "status_label": STATUS_LABELS.get(wo.status, wo.status), "category": wo.category,
             "priority": wo.priority, "created_at": iso_local(wo.created_at),
             "due_response_at": iso_local(wo.due_response_at), "due_at": iso_local(wo.due_close_at),
             "merged_into_id": wo.merged_into_id}
            for wo, external_id, code in session.execute(stmt)]


def get_work_order(session: Session, work_order_id: int, user: User | None = None) -> WorkOrder:
    """The case, or NotFoundError when it does not exist or ``user`` may not see it."""
    wo = session.get(WorkOrder, work_order_id)
    if wo is None:
        raise NotFoundError(f"work order {work_order_id} does not exist")
    if user is not None:
        if not can(user, "list"):
            raise PermissionDenied(f"user {user.username!r} (role {user.role}) may not read work orders")
        if not can(user, "view", wo, cohandler_ids=cohandler_ids(session, wo)):
            raise NotFoundError(f"work order {work_order_id} does not exist")
    return wo


def work_order_by_token(session: Session, token: str) -> WorkOrder:
    wo = session.scalar(select(WorkOrder).where(WorkOrder.token == token)) if token else None
    if wo is None:
        raise NotFoundError("no work order has this token")
    return wo


def events_of(session: Session, wo: WorkOrder) -> list[WorkOrderEvent]:
    return list(session.scalars(select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == wo.id)
                                .order_by(WorkOrderEvent.at, WorkOrderEvent.id)))


def cohandlers_of(session: Session, wo: WorkOrder, *, active_only: bool = True) -> list[CoHandler]:
    stmt = select(CoHandler).where(CoHandler.work_order_id == wo.id)
    if active_only:
        stmt = stmt.where(CoHandler.active.is_(True))
    return list(session.scalars(stmt.order_by(CoHandler.id)))


def replies_of(session: Session, wo: WorkOrder, *, public_only: bool = False) -> list[Reply]:
    """Replies of ``wo``; a merged duplicate shows the replies of the case it was merged into."""
    target = wo
    while target.merged_into_id is not None:
        nxt = session.get(WorkOrder, target.merged_into_id)
        if nxt is None or nxt.id == wo.id:
            break
        target = nxt
    stmt = select(Reply).where(Reply.work_order_id == target.id)
    if public_only:
        stmt = stmt.where(Reply.public.is_(True))
    return list(session.scalars(stmt.order_by(Reply.at, Reply.id)))


def current_rating(session: Session, wo: WorkOrder) -> Rating | None:
    return session.scalar(select(Rating).where(Rating.work_order_id == wo.id, Rating.current.is_(True))
                          .order_by(Rating.id.desc()).limit(1))


def contact_of(session: Session, wo: WorkOrder, *, user: User | str, reason: str | None = None) -> Contact | None:
    """The requester's contact details — a read of raw personal data, so it is audited (``pii.raw_view``)."""
    if isinstance(user, User) and not can(user, "view_contact", wo, cohandler_ids=cohandler_ids(session, wo)):
        raise PermissionDenied(f"user {user.username!r} (role {user.role}) may not read contact details")
    if wo.contact_id is None:
        return None
    record_audit(session, actor=user.username if isinstance(user, User) else user, action="pii.raw_view",
                 object_type="work_order", object_id=wo.id, detail={"field": "contact"}, reason=reason)
    return session.get(Contact, wo.contact_id)


def department_of(session: Session, wo: WorkOrder) -> Department | None:
    return session.get(Department, wo.lead_department_id) if wo.lead_department_id else None


def escalation_target(session: Session, wo: WorkOrder, now: datetime | None = None) -> Department | None:
    """The department an overdue case escalates to (level 1: parent of the lead, 2: the one above), else None."""
    level = sla_status(wo, now).escalation_level
    if level == 0:
        return None
    chain = escalation_chain(session, wo.lead_department_id)
    return chain[min(level, len(chain)) - 1] if chain else None
