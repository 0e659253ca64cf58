"""Helpers shared by the work-order modules: who is acting, permission checks, and writing history.

An *actor* is either a :class:`User` (staff: role and department are checked) or a string for a
trusted caller that did its own authentication: ``"system"``, ``"system:routing"``,
``"api_key:<id>"`` (Open311 client), ``"requester"`` (the token link), ``"import"``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.db.models.users import User
from massline.db.models.workorders import CoHandler, WorkOrder, WorkOrderEvent
from massline.db.repositories.audit import record_audit
from massline.serve.roles import require
from massline.serve.sla import as_utc

Actor = User | str


def actor_name(actor: Actor) -> str:
    return actor.username if isinstance(actor, User) else actor


def at_or_now(at: datetime | None) -> datetime:
    return as_utc(at) if at is not None else datetime.now(UTC)


def cohandler_ids(session: Session, wo: WorkOrder) -> set[int]:
    """Department ids of the active co-handlers (not the lead) of ``wo``."""
    rows = session.scalars(select(CoHandler.department_id).where(
        CoHandler.work_order_id == wo.id, CoHandler.active.is_(True), CoHandler.role == "co"))
    return set(rows)


def authorize(session: Session, actor: Actor, action: str, wo: WorkOrder | None = None) -> None:
    """Permission check for staff actors; trusted string actors pass."""
    if isinstance(actor, User):
        require(actor, action, wo, cohandler_ids=cohandler_ids(session, wo) if wo is not None else None)


def event_rows(wo_id: int, *, actor: Actor, kind: str, at: datetime, from_status: str | None = None,
               to_status: str | None = None, department_id: int | None = None, detail: dict[str, Any] | None = None,
               reason: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The column values of one history event of case ``wo_id`` and of its audit record.

    One definition for both writers: :func:`add_event` (ORM objects, one case) and the batch
    insert of cases opened together (:func:`massline.serve.cases.open_from_routing_many`)."""
    name = actor_name(actor)
    event = {"work_order_id": wo_id, "at": at, "actor": name, "kind": kind, "from_status": from_status,
             "to_status": to_status, "department_id": department_id, "detail": detail or {}, "reason": reason}
    audit = {"actor": name, "action": f"workorder.{kind}", "object_type": "work_order", "object_id": str(wo_id),
             "detail": {"from": from_status, "to": to_status, **(detail or {})}, "reason": reason}
    return event, audit


def add_event(
    session: Session,
    wo: WorkOrder,
    *,
    actor: Actor,
    kind: str,
    at: datetime,
    from_status: str | None = None,
    to_status: str | None = None,
    department_id: int | None = None,
    detail: dict[str, Any] | None = None,
    reason: str | None = None,
    audit: bool = True,
) -> WorkOrderEvent:
    """Append one history event (and the matching audit record) in the caller's transaction."""
    values, audit_values = event_rows(wo.id, actor=actor, kind=kind, at=at, from_status=from_status,
                                      to_status=to_status, department_id=department_id, detail=detail, reason=reason)
    event = WorkOrderEvent(**values)
    session.add(event)
    wo.updated_at = at
    if audit:
        record_audit(session, **audit_values)
    return event
