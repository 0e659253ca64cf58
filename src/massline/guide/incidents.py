"""The incident workflow: identify → analyse → handle → review → prevent, then closed with a review.

Every change is an :class:`IncidentEvent` *and* an audit event (``massline.db.repositories.audit.record_audit``,
actions ``incident.*``), in the caller's transaction. Who may do what (one place, testable without HTTP):

* ``analyst`` and ``administrator`` work incidents (open, move, note, link, own, deadline, escalate, close);
* ``dispatcher`` and ``editor`` read every incident (dispatchers follow the linked cases);
* ``handler`` reads the incidents of their own department only (department wall);
* everyone else: nothing.

Stages move forward one at a time; going back one stage is allowed with a note (an analysis can turn out
wrong). Closing needs the stage ``prevent`` and a written review — an incident is never silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.errors import InputError, NotFoundError, PermissionDenied
from massline.db.models.guide import Incident, IncidentEvent, IncidentLink
from massline.db.models.users import User
from massline.db.repositories.audit import record_audit

STAGES: Final = ("identify", "analyse", "handle", "review", "prevent")
STAGE_NAMES: Final = {"identify": "识别", "analyse": "研判", "handle": "处置", "review": "复盘", "prevent": "预防",
                      "closed": "已关闭"}
WORK_ROLES: Final = frozenset({"analyst", "administrator"})
READ_ROLES: Final = frozenset({"analyst", "administrator", "dispatcher", "editor", "handler"})
LINK_KINDS: Final = ("message", "case")
MAX_ESCALATION: Final = 2


def can_work(user: User) -> bool:
    return user.active and user.role in WORK_ROLES


def can_view(user: User, incident: Incident | None = None) -> bool:
    if not user.active or user.role not in READ_ROLES:
        return False
    if user.role == "handler" and incident is not None:
        return incident.department_id is not None and incident.department_id == user.department_id
    return True


def _require_work(user: User, what: str) -> None:
    if not can_work(user):
        raise PermissionDenied(f"user {user.username!r} (role {user.role}) may not {what} incidents")


def _event(session: Session, user: User, incident: Incident, kind: str, *, note: str | None = None,
           from_stage: str | None = None, to_stage: str | None = None, detail: dict[str, Any] | None = None) -> None:
    now = datetime.now(UTC)
    session.add(IncidentEvent(incident_id=incident.id, at=now, actor=user.username, kind=kind, from_stage=from_stage,
                              to_stage=to_stage, note=note, detail=detail or {}))
    incident.updated_at = now
    record_audit(session, actor=user.username, action=f"incident.{kind}", object_type="incident",
                 object_id=incident.id, detail={"from": from_stage, "to": to_stage, **(detail or {})}, reason=note)


def get_incident(session: Session, user: User, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFoundError(f"incident {incident_id} not found")
    if not can_view(user, incident):
        raise PermissionDenied(f"user {user.username!r} (role {user.role}) may not view incident {incident_id}")
    return incident


def list_incidents(session: Session, user: User, *, include_closed: bool = False) -> list[Incident]:
    if not can_view(user):
        raise PermissionDenied(f"user {user.username!r} (role {user.role}) may not view incidents")
    stmt = select(Incident).order_by(Incident.created_at.desc())
    if not include_closed:
        stmt = stmt.where(Incident.status == "open")
    if user.role == "handler":
        stmt = stmt.where(Incident.department_id == user.department_id)
    return list(session.scalars(stmt))


def open_incident(session: Session, user: User, *, title: str, origin_kind: str, origin_ref: str | None = None,
                  message_ids: Iterable[int] = (), case_ids: Iterable[int] = (), department_id: int | None = None,
                  risk: Any = None, due_at: datetime | None = None, owner: User | None = None,
                  note: str | None = None) -> Incident:
    """Open an incident from an alert, a hot issue or by hand; links its messages and cases."""
    _require_work(user, "open")
    if not title.strip():
        raise InputError("an incident needs a title", field="title")
    if origin_kind not in ("alert", "issue", "manual"):
        raise InputError(f"unknown origin {origin_kind!r}; expected alert, issue or manual", field="origin_kind")
    incident = Incident(title=title.strip()[:300], origin_kind=origin_kind, origin_ref=origin_ref, stage="identify",
                        status="open", department_id=department_id, due_at=due_at, created_by=user.username,
                        owner_id=(owner or user).id, escalation=0,
                        risk_score=getattr(risk, "score", None), risk_level=getattr(risk, "level", None),
                        risk_reasons=list(getattr(risk, "reasons", []) or []))
    session.add(incident)
    session.flush()
    _event(session, user, incident, "open", to_stage="identify", note=note,
           detail={"origin": origin_kind, "ref": origin_ref})
    link(session, user, incident, "message", message_ids)
    link(session, user, incident, "case", case_ids)
    return incident


def link(session: Session, user: User, incident: Incident, kind: str, ids: Iterable[int]) -> int:
    """Link messages or cases (already linked ones are skipped); returns how many were new."""
    _require_work(user, "link to")
    if kind not in LINK_KINDS:
        raise InputError(f"unknown link kind {kind!r}; expected message or case", field="kind")
    have = set(session.scalars(select(IncidentLink.target_id).where(IncidentLink.incident_id == incident.id,
                                                                      IncidentLink.kind == kind)))
    new = [i for i in dict.fromkeys(int(x) for x in ids) if i not in have]
    for target in new:
        session.add(IncidentLink(incident_id=incident.id, kind=kind, target_id=target))
    if new:
        _event(session, user, incident, "link", detail={"kind": kind, "ids": new[:200], "count": len(new)})
    return len(new)


def links(session: Session, incident: Incident, kind: str) -> list[int]:
    return list(session.scalars(select(IncidentLink.target_id).where(
        IncidentLink.incident_id == incident.id, IncidentLink.kind == kind).order_by(IncidentLink.id)))


def move(session: Session, user: User, incident: Incident, to_stage: str, note: str | None = None) -> Incident:
    """Next stage, or back one stage with a note."""
    _require_work(user, "move")
    if incident.status != "open":
        raise InputError(f"incident {incident.id} is closed", field="stage")
    if to_stage not in STAGES:
        raise InputError(f"unknown stage {to_stage!r}; expected one of {', '.join(STAGES)}", field="stage")
    here, there = STAGES.index(incident.stage), STAGES.index(to_stage)
    if there == here + 1:
        pass
    elif there == here - 1:
        if not (note or "").strip():
            raise InputError("going back a stage needs a note saying why", field="note")
    else:
        raise InputError(f"cannot go from {incident.stage} to {to_stage}: one stage at a time", field="stage")
    _event(session, user, incident, "stage", from_stage=incident.stage, to_stage=to_stage, note=note)
    incident.stage = to_stage
    return incident


def add_note(session: Session, user: User, incident: Incident, note: str) -> None:
    _require_work(user, "write notes on")
    if not note.strip():
        raise InputError("the note is empty", field="note")
    _event(session, user, incident, "note", note=note.strip())


def set_owner(session: Session, user: User, incident: Incident, owner: User) -> None:
    _require_work(user, "assign")
    if not can_work(owner):
        raise InputError(f"{owner.username!r} (role {owner.role}) cannot work incidents", field="owner")
    _event(session, user, incident, "owner", detail={"from": incident.owner_id, "owner": owner.username})
    incident.owner_id = owner.id


def set_deadline(session: Session, user: User, incident: Incident, due_at: datetime | None, note: str | None = None
                 ) -> None:
    _require_work(user, "set deadlines on")
    if due_at is not None and due_at.tzinfo is None:
        raise InputError("the deadline needs a time zone", field="due_at")
    _event(session, user, incident, "deadline", note=note,
           detail={"due_at": None if due_at is None else due_at.astimezone(UTC).isoformat()})
    incident.due_at = None if due_at is None else due_at.astimezone(UTC)


def escalate(session: Session, user: User, incident: Incident, note: str) -> None:
    """One level up (区领导, then 市领导); always with a reason."""
    _require_work(user, "escalate")
    if not note.strip():
        raise InputError("an escalation needs a reason", field="note")
    if incident.escalation >= MAX_ESCALATION:
        raise InputError(f"incident {incident.id} is already at the top level", field="escalation")
    incident.escalation += 1
    _event(session, user, incident, "escalate", note=note, detail={"level": incident.escalation})


def close(session: Session, user: User, incident: Incident, review: str) -> None:
    """Close after ``prevent`` with the closing review (what happened, what was done, what prevents a repeat)."""
    _require_work(user, "close")
    if incident.stage != "prevent":
        raise InputError(f"close from stage prevent (now {incident.stage})", field="stage")
    if len(review.strip()) < 10:
        raise InputError("the closing review must say what happened and what prevents a repeat", field="review")
    incident.review = review.strip()
    incident.status = "closed"
    incident.closed_at = datetime.now(UTC)
    _event(session, user, incident, "close", from_stage="prevent", to_stage="closed", note=review.strip())


def events(session: Session, incident: Incident) -> Sequence[IncidentEvent]:
    return list(session.scalars(select(IncidentEvent).where(IncidentEvent.incident_id == incident.id)
                                .order_by(IncidentEvent.at, IncidentEvent.id)))


def overdue(incident: Incident, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    due = incident.due_at
    if due is not None and due.tzinfo is None:
        due = due.replace(tzinfo=UTC)
    return incident.status == "open" and due is not None and due < now
