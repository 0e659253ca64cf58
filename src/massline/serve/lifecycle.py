"""Acting on a case: every function checks permission, asks the state machine, writes one event.

All take the session first and keyword arguments after the case; ``at`` (default now) lets an
import replay real historical times. The caller commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.errors import InputError, NotFoundError, TransitionError
from massline.db.models.workorders import CoHandler, Rating, Reply, WorkOrder
from massline.privacy import find_pii, mask_text
from massline.serve._common import Actor, actor_name, add_event, at_or_now, authorize
from massline.serve.departments import department_by_code
from massline.serve.queries import work_order_by_token
from massline.serve.sla import PRIORITIES, SlaRules, load_sla_rules
from massline.serve.states import OPEN_STATUSES, check_transition

RATINGS = ("满意", "基本满意", "不满意")
#: The event kind each action writes (past tense: what happened).
EVENT_KINDS = {"assign": "assigned", "accept": "accepted", "return": "returned", "start": "started",
               "transfer": "transferred", "reply": "replied", "reopen": "reopened", "close": "closed",
               "merge": "merged"}


def _need_reason(reason: str | None, action: str) -> str:
    if not reason or not reason.strip():
        raise InputError(f"a reason is required to {action}", field="reason")
    return reason.strip()


def _lock(session: Session, wo: WorkOrder) -> None:
    """Re-read the case's row under a row lock (PostgreSQL ``SELECT … FOR UPDATE``) before deciding.

    Two dispatchers assigning the same queued case at once: the second waits, then sees the first's
    status and gets a TransitionError instead of silently overwriting the lead department.
    SQLite serialises writers itself, so there the re-read is enough.
    """
    session.flush()
    session.refresh(wo, with_for_update=session.get_bind().dialect.name == "postgresql")


def _move(session: Session, wo: WorkOrder, action: str, *, actor: Actor, at: datetime | None,
          department_id: int | None = None, detail: dict[str, object] | None = None, reason: str | None = None,
          audit: bool = True) -> datetime:
    authorize(session, actor, action, wo)
    _lock(session, wo)
    target = check_transition(action, wo.status, work_order_id=wo.id)
    when = at_or_now(at)
    add_event(session, wo, actor=actor, kind=EVENT_KINDS[action], at=when, from_status=wo.status, to_status=target,
              department_id=department_id, detail=dict(detail or {}), reason=reason, audit=audit)
    wo.status = target
    return when


def _set_lead(session: Session, wo: WorkOrder, department_id: int | None, *, at: datetime, actor: Actor) -> None:
    for old in session.scalars(select(CoHandler).where(CoHandler.work_order_id == wo.id, CoHandler.role == "lead")):
        old.active, old.role = False, "former"
    wo.lead_department_id = department_id
    if department_id is None:
        return
    row = session.scalar(select(CoHandler).where(CoHandler.work_order_id == wo.id,
                                                 CoHandler.department_id == department_id))
    if row is None:
        session.add(CoHandler(work_order_id=wo.id, department_id=department_id, role="lead", added_at=at,
                              added_by=actor_name(actor)))
    else:
        row.role, row.active = "lead", True
    session.flush()


def assign(session: Session, wo: WorkOrder, *, department_code: str, actor: Actor, reason: str | None = None,
           at: datetime | None = None) -> WorkOrder:
    """Dispatch a queued case (new/returned) to a lead department."""
    dep = department_by_code(session, department_code)
    when = _move(session, wo, "assign", actor=actor, at=at, department_id=dep.id,
                 detail={"department": dep.code}, reason=reason)
    _set_lead(session, wo, dep.id, at=when, actor=actor)
    return wo


def accept(session: Session, wo: WorkOrder, *, actor: Actor, at: datetime | None = None) -> WorkOrder:
    """The lead department signs for the case (签收) — the first response if nothing came before."""
    when = _move(session, wo, "accept", actor=actor, at=at, department_id=wo.lead_department_id)
    wo.first_response_at = wo.first_response_at or when
    return wo


def return_to_dispatch(session: Session, wo: WorkOrder, *, actor: Actor, reason: str,
                       at: datetime | None = None) -> WorkOrder:
    """退单: the department says the case is not theirs; back to the dispatcher's queue with the reason."""
    why = _need_reason(reason, "return a case")
    when = _move(session, wo, "return", actor=actor, at=at, department_id=wo.lead_department_id, reason=why)
    _set_lead(session, wo, None, at=when, actor=actor)
    return wo


def start(session: Session, wo: WorkOrder, *, actor: Actor, at: datetime | None = None) -> WorkOrder:
    _move(session, wo, "start", actor=actor, at=at, department_id=wo.lead_department_id)
    return wo


def transfer(session: Session, wo: WorkOrder, *, department_code: str, actor: Actor, reason: str,
             at: datetime | None = None) -> WorkOrder:
    """转办: hand the case to another lead department (it must accept it again)."""
    why = _need_reason(reason, "transfer a case")
    dep = department_by_code(session, department_code)
    if dep.id == wo.lead_department_id:
        raise TransitionError(f"work order {wo.id} is already led by {dep.code!r}")
    when = _move(session, wo, "transfer", actor=actor, at=at, department_id=dep.id,
                 detail={"from_department_id": wo.lead_department_id, "department": dep.code}, reason=why)
    _set_lead(session, wo, dep.id, at=when, actor=actor)
    return wo


def add_cohandler(session: Session, wo: WorkOrder, *, department_code: str, actor: Actor, reason: str | None = None,
                  at: datetime | None = None) -> CoHandler:
    """协办: another department works on the case with the lead (no status change)."""
    authorize(session, actor, "add_cohandler", wo)
    if wo.status not in OPEN_STATUSES or wo.status in ("new", "returned"):
        raise TransitionError(f"cannot add a co-handler to work order {wo.id} in status {wo.status!r}; "
                              "allowed in assigned, accepted, in_progress, replied, reopened")
    dep = department_by_code(session, department_code)
    if dep.id == wo.lead_department_id:
        raise InputError(f"{dep.code!r} already leads work order {wo.id}", field="department")
    when = at_or_now(at)
    row = session.scalar(select(CoHandler).where(CoHandler.work_order_id == wo.id, CoHandler.department_id == dep.id))
    if row is None:
        row = CoHandler(work_order_id=wo.id, department_id=dep.id, role="co", added_at=when, added_by=actor_name(actor))
        session.add(row)
    else:
        row.role, row.active = "co", True
    add_event(session, wo, actor=actor, kind="cohandler_added", at=when, department_id=dep.id,
              detail={"department": dep.code}, reason=reason)
    session.flush()
    return row


def reply(session: Session, wo: WorkOrder, *, text: str, public: bool = True, actor: Actor,
          at: datetime | None = None, audit: bool = True) -> Reply:
    """Answer the requester; a public reply is stored with its masked copy and the PII check result.

    ``public=False`` is a reply to the requester only (not shown on the public board).
    """
    if not text or not text.strip():
        raise InputError("must not be empty", field="text")
    findings = find_pii(text)
    public_text = mask_text(text, "public") if public else None
    dep_id = wo.lead_department_id
    when = _move(session, wo, "reply", actor=actor, at=at, department_id=dep_id,
                 detail={"public": public, "pii_found": sorted({f.type for f in findings})}, audit=audit)
    check = {"found": sorted({f.type for f in findings}), "masked": bool(public and public_text != text)}
    row = Reply(work_order_id=wo.id, at=when, author=actor_name(actor), department_id=dep_id, text=text,
                public_text=public_text, public=public, pii_check=check)
    session.add(row)
    wo.first_response_at = wo.first_response_at or when
    wo.replied_at = when
    session.flush()
    return row


def note(session: Session, wo: WorkOrder, *, text: str, actor: Actor, at: datetime | None = None) -> None:
    """An internal note (co-handlers' contribution); never shown to the requester."""
    authorize(session, actor, "note", wo)
    if not text or not text.strip():
        raise InputError("must not be empty", field="text")
    add_event(session, wo, actor=actor, kind="note", at=at_or_now(at), detail={"text": text})


def rate(session: Session, token: str, rating: str, comment: str | None = None, *,
         at: datetime | None = None) -> Rating:
    """The requester's satisfaction (via the token link); allowed once a reply exists."""
    if rating not in RATINGS:
        raise InputError(f"must be one of {', '.join(RATINGS)}", field="rating")
    wo = work_order_by_token(session, token)
    if wo.status not in ("replied", "closed"):
        raise TransitionError(f"work order {wo.id} cannot be rated in status {wo.status!r}; "
                              "rating is allowed in replied, closed")
    when = at_or_now(at)
    for old in session.scalars(select(Rating).where(Rating.work_order_id == wo.id, Rating.current.is_(True))):
        old.current = False
    row = Rating(work_order_id=wo.id, at=when, value=rating, comment=comment)
    session.add(row)
    add_event(session, wo, actor="requester", kind="rated", at=when, detail={"rating": rating})
    session.flush()
    return row


def reopen(session: Session, wo: WorkOrder, *, actor: Actor, reason: str, at: datetime | None = None,
           rules: SlaRules | None = None) -> WorkOrder:
    """Reopen after an unsatisfied rating (or a wrong close); a new close deadline runs from now."""
    why = _need_reason(reason, "reopen a case")
    when = _move(session, wo, "reopen", actor=actor, at=at, department_id=wo.lead_department_id,
                 reason=why)
    wo.reopen_count += 1
    wo.closed_at, wo.close_reason = None, None
    if wo.merged_into_id is not None:  # a reopened duplicate is its own case again (counted in metrics again)
        add_event(session, wo, actor=actor, kind="unmerged", at=when, detail={"was_merged_into": wo.merged_into_id},
                  reason=why)
        wo.merged_into_id = None
    rules = rules or load_sla_rules(session=session)
    wo.reopened_at = when  # deadlines and their status now run from the reopening
    wo.due_close_at = rules.add(when, rules.durations(wo.category, wo.priority)[1])
    return wo


def close(session: Session, wo: WorkOrder, *, actor: Actor, reason: str | None = None,
          at: datetime | None = None, audit: bool = True) -> WorkOrder:
    """Close a replied case (resolved), or a queued one that is not a request (invalid, reason needed)."""
    invalid = wo.status in ("new", "returned")
    why = _need_reason(reason, "close an unanswered case") if invalid else reason
    when = _move(session, wo, "close", actor=actor, at=at, department_id=wo.lead_department_id,
                 detail={"close_reason": "invalid" if invalid else "resolved"}, reason=why, audit=audit)
    wo.closed_at, wo.close_reason = when, "invalid" if invalid else "resolved"
    return wo


def merge(session: Session, wo: WorkOrder, *, into: WorkOrder, actor: Actor, reason: str | None = None,
          at: datetime | None = None) -> WorkOrder:
    """Merge a duplicate into ``into``: ``wo`` is closed as merged and shows ``into``'s replies."""
    target = into
    seen = {wo.id}
    while target.merged_into_id is not None:
        if target.id in seen:
            raise TransitionError(f"merge loop at work order {target.id}")
        seen.add(target.id)
        nxt = session.get(WorkOrder, target.merged_into_id)
        if nxt is None:
            raise NotFoundError(f"work order {target.merged_into_id} does not exist")
        target = nxt
    if target.id == wo.id:
        raise TransitionError(f"cannot merge work order {wo.id} into itself")
    when = _move(session, wo, "merge", actor=actor, at=at, department_id=wo.lead_department_id,
                 detail={"into": target.id}, reason=reason)
    wo.merged_into_id, wo.closed_at, wo.close_reason = target.id, when, "merged"
    add_event(session, target, actor=actor, kind="duplicate_merged", at=when, detail={"duplicate": wo.id},
              reason=reason)
    return wo


def set_priority(session: Session, wo: WorkOrder, *, priority: str, actor: Actor, reason: str | None = None,
                 at: datetime | None = None, rules: SlaRules | None = None) -> WorkOrder:
    """Change the priority of an open case; both deadlines are recomputed from when it was received."""
    authorize(session, actor, "set_priority", wo)
    if priority not in PRIORITIES:
        raise InputError(f"unknown priority {priority!r}; expected one of {', '.join(PRIORITIES)}", field="priority")
    if wo.status not in OPEN_STATUSES:
        raise TransitionError(f"cannot change the priority of work order {wo.id} in status {wo.status!r}")
    rules = rules or load_sla_rules(session=session)
    old = wo.priority
    wo.priority = priority
    respond, close_in = rules.durations(wo.category, priority)
    wo.due_response_at = rules.add(wo.created_at, respond)
    wo.due_close_at = rules.add(wo.reopened_at or wo.created_at, close_in)  # a reopened case runs from the reopening
    add_event(session, wo, actor=actor, kind="priority_changed", at=at_or_now(at),
              detail={"from": old, "to": priority}, reason=reason)
    return wo
