"""The administrator's working-day overrides (a local holiday, an extra working day), audited.

The statutory calendar comes from the ``chinesecalendar`` package (see
:class:`massline.serve.sla.WorkCalendar`); these overrides win over it for the days they name.
Deadlines already computed are not moved — a change applies to cases received (or reopened)
afterwards, like any rule change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.errors import InputError, NotFoundError
from massline.db.base import utcnow
from massline.db.models.deadlines import CalendarOverride
from massline.db.repositories.audit import record_audit
from massline.serve.sla import load_sla_rules

KINDS = ("holiday", "workday")
KIND_LABELS = {"holiday": "休息日", "workday": "工作日"}


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    source: str  # override | rules


def _parse_day(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InputError(f"{value!r} is not a date (YYYY-MM-DD)", field="day") from exc


def set_day(session: Session, day: date | str, kind: str, *, actor: str, note: str | None = None) -> CalendarOverride:
    """Declare ``day`` a holiday or a working day (replaces an earlier override of that day)."""
    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}", field="kind")
    if not actor.strip():
        raise InputError("say who makes the change", field="actor")
    when = _parse_day(day)
    row = session.scalar(select(CalendarOverride).where(CalendarOverride.day == when))
    before = row.kind if row else None
    if row is None:
        row = CalendarOverride(day=when, kind=kind)
        session.add(row)
    row.kind, row.note, row.updated_by, row.updated_at = kind, note, actor, utcnow()
    record_audit(session, actor=actor, action="calendar.set", object_type="calendar_day", object_id=when.isoformat(),
                 detail={"before": before, "after": kind}, reason=note)
    session.flush()
    return row


def clear_day(session: Session, day: date | str, *, actor: str, reason: str | None = None) -> None:
    """Remove the override of ``day`` (the statutory calendar applies again); audited."""
    when = _parse_day(day)
    row = session.scalar(select(CalendarOverride).where(CalendarOverride.day == when))
    if row is None:
        raise NotFoundError(f"no override for {when.isoformat()}")
    record_audit(session, actor=actor, action="calendar.clear", object_type="calendar_day",
                 object_id=when.isoformat(), detail={"before": row.kind}, reason=reason)
    session.delete(row)
    session.flush()


def list_overrides(session: Session, year: int | None = None) -> list[CalendarOverride]:
    stmt = select(CalendarOverride).order_by(CalendarOverride.day)
    if year is not None:
        stmt = stmt.where(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))
    return list(session.scalars(stmt))


def day_info(session: Session, day: date | str) -> DayInfo:
    """Is ``day`` a working day in this installation, and which source says so."""
    when = _parse_day(day)
    rules = load_sla_rules(session=session)
    source = "override" if when in rules.calendar.overrides else "rules"
    return DayInfo(when, rules.calendar.is_working_day(when), source)
