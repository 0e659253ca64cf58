"""Deadlines (SLA): rules per category and priority, a working-day calendar, and the computed status.

Nothing here is stored by hand: ``due_response_at`` / ``due_close_at`` are computed from the rules
when a case is received (and the close deadline again when it is reopened), and
:func:`sla_status` derives met / missed / pending / due-soon / overdue and the escalation level
from the case's event-written timestamps and ``now``.

Durations: ``"<N>d"`` = N *working* days (same clock time on the Nth following working day;
a case received on a non-working day counts from 00:00 of the next working day, so
"1d" from a Saturday is Tuesday 00:00); ``"<N>h"`` =
N calendar hours (urgent cases do not wait for Monday). The calendar is weekends plus a
configurable holiday list and make-up working days (调休), the statutory calendar of the
``chinesecalendar`` package, and the administrator's overrides (see :class:`WorkCalendar`).

Rules YAML (``Settings.sla_file`` / ``MASSLINE_SLA_FILE`` when set, else :data:`DEFAULT_RULES`)::

    timezone: Asia/Shanghai
    due_soon: 0.25            # "due soon" when less than this share of the allowed time is left
    rules:                    # most specific match wins: category+priority > category > priority > default
      - {respond: 1d, close: 5d}
      - {priority: urgent, respond: 2h, close: 1d}
    calendar: {weekends: [5, 6], holidays: [2019-10-01], workdays: [2019-09-29]}
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from massline.core.config import get_settings
from massline.core.errors import InputError
from massline.db.base import to_utc
from massline.db.models.deadlines import CalendarOverride
from massline.db.models.workorders import WorkOrder

DEFAULT_RULES: Final[dict[str, Any]] = {
    "timezone": "Asia/Shanghai",
    "due_soon": 0.25,
    "rules": [
        {"respond": "1d", "close": "5d"},
        {"priority": "high", "respond": "1d", "close": "3d"},
        {"priority": "urgent", "respond": "2h", "close": "1d"},
        {"priority": "low", "respond": "2d", "close": "10d"},
    ],
    "calendar": {"weekends": [5, 6], "holidays": [], "workdays": []},
}
PRIORITIES: Final = ("low", "normal", "high", "urgent")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dh])\s*$")


#: Aware UTC (naive = UTC); kept under this name for the modules that import it from here.
as_utc = to_utc


@lru_cache(maxsize=1)
def _chinese_calendar() -> Any:
    """The optional ``chinese_calendar`` module (official holidays and 调休), or None; looked up once."""
    try:
        return importlib.import_module("chinese_calendar")
    except ImportError:
        return None


@lru_cache(maxsize=8192)
def _statutory_workday(day: date) -> bool | None:
    """The ``chinese_calendar`` package's answer for ``day``, None without the package or for a year
    it does not know yet. Remembered: opening a batch's cases asks it about the same few weeks of
    days hundreds of times, and its answer for a day never changes within a process."""
    module = _chinese_calendar()
    if module is None:
        return None
    try:
        return bool(module.is_workday(day))
    except NotImplementedError:  # a year it does not know yet: weekends only (plus the lists above)
        return None


@dataclass(frozen=True)
class WorkCalendar:
    """Which days count as working days, most specific source first.

    1. the administrator's overrides (``calendar_overrides`` table, ``massline calendar set``);
    2. the YAML ``holidays`` / ``workdays`` (make-up working days, 调休) of ``MASSLINE_SLA_FILE``;
    3. the statutory calendar of the ``chinesecalendar`` package (public holidays and 调休 as
       published by the State Council, for the years it knows);
    4. weekends.
    """

    weekends: frozenset[int] = frozenset({5, 6})
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()  # make-up working days on a weekend (调休)
    use_chinese_calendar: bool = True
    overrides: Mapping[date, bool] = field(default_factory=dict)  # day → is a working day

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        statutory = _statutory_workday(day) if self.use_chinese_calendar else None
        if statutory is not None:
            return statutory
        return day.weekday() not in self.weekends

    def with_overrides(self, overrides: Mapping[date, bool]) -> WorkCalendar:
        return replace(self, overrides=dict(overrides))


@dataclass(frozen=True)
class SlaRules:
    timezone: ZoneInfo
    due_soon: float
    rules: tuple[dict[str, Any], ...]
    calendar: WorkCalendar

    def durations(self, category: str | None, priority: str) -> tuple[str, str]:
        """(respond, close) duration strings of the most specific matching rule."""
        best: dict[str, Any] = {}
        best_score = -1
        for rule in self.rules:
            if rule.get("category") not in (None, category) or rule.get("priority") not in (None, priority):
                continue
            score = (2 if rule.get("category") else 0) + (1 if rule.get("priority") else 0)
            if score > best_score:
                best, best_score = rule, score
        return str(best.get("respond", "1d")), str(best.get("close", "5d"))

    def add(self, start: datetime, duration: str) -> datetime:
        """``start`` plus ``duration`` on this calendar, in UTC."""
        match = _DURATION.match(duration)
        if not match:
            raise InputError(f"bad duration {duration!r}; expected e.g. '1d' or '2h'", field="sla")
        amount, unit = float(match.group(1)), match.group(2)
        if unit == "h":
            return as_utc(start) + timedelta(hours=amount)
        local = as_utc(start).astimezone(self.timezone)
        day = local.date()
        clock = local.timetz().replace(tzinfo=None)
        if not self.calendar.is_working_day(day):  # the clock starts at 00:00 of the next working day
            clock = time(0)
            while not self.calendar.is_working_day(day):
                day += timedelta(days=1)
        counted = 0
        while counted < int(amount):
            day += timedelta(days=1)
            if self.calendar.is_working_day(day):
                counted += 1
        return datetime.combine(day, clock, tzinfo=self.timezone).astimezone(UTC)

    def due_dates(self, received_at: datetime, category: str | None, priority: str) -> tuple[datetime, datetime]:
        respond, close = self.durations(category, priority)
        return self.add(received_at, respond), self.add(received_at, close)


def calendar_overrides(session: Session) -> dict[date, bool]:
    """The administrator's overrides: day → True (working day) / False (holiday)."""
    return {row.day: row.kind == "workday" for row in session.scalars(select(CalendarOverride))}


def load_sla_rules(path: Path | None = None, *, session: Session | None = None) -> SlaRules:
    """Rules from ``path``, else from ``Settings.sla_file`` (``MASSLINE_SLA_FILE``), else the defaults.

    With ``session`` the administrator's calendar overrides of that database apply too.
    """
    rules = _load_file_rules(path)
    if session is None:
        return rules
    overrides = calendar_overrides(session)
    return replace(rules, calendar=rules.calendar.with_overrides(overrides)) if overrides else rules


def _load_file_rules(path: Path | None) -> SlaRules:
    if path is None:
        path = get_settings().sla_file
    if path is None:
        return _parse_rules(None, None)
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise InputError("SLA rules file does not exist", origin=str(path)) from None
    return _parse_rules(path, stamp)


@lru_cache(maxsize=16)
def _parse_rules(path: Path | None, stamp: int | None) -> SlaRules:
    """The rules of ``path`` as of its modification time ``stamp`` (the defaults for None).

    Cached: every new case needs its deadlines, and reading the rules again for each one was a
    tenth of an Open311 POST's cost; an edited file has a new ``stamp`` and is read again."""
    data: dict[str, Any] = dict(DEFAULT_RULES)
    if path is not None:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise InputError("expected a mapping", origin=str(path))
        data.update(loaded)
    cal = data.get("calendar") or {}
    for rule in data["rules"]:
        if rule.get("priority") not in (None, *PRIORITIES):
            raise InputError(f"unknown priority {rule['priority']!r}", field="rules.priority")
    return SlaRules(
        timezone=ZoneInfo(str(data.get("timezone", "Asia/Shanghai"))),
        due_soon=float(data.get("due_soon", 0.25)),
        rules=tuple(data["rules"]),
        calendar=WorkCalendar(
            weekends=frozenset(int(d) for d in cal.get("weekends", [5, 6])),
            holidays=frozenset(_as_date(d) for d in cal.get("holidays", [])),
            workdays=frozenset(_as_date(d) for d in cal.get("workdays", [])),
            use_chinese_calendar=bool(cal.get("use_chinese_calendar", True)),
        ),
    )


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass(frozen=True)
class SlaStatus:
    """Computed deadline state of one case at ``now``.

    ``response`` / ``close``: ``met`` (done in time), ``missed`` (done late), ``pending``,
    ``due_soon``, ``overdue``, or ``none`` (no deadline). ``state`` is the most urgent of the two.
    ``escalation_level``: 0 none; 1 = overdue (escalate to the parent department); 2 = overdue by
    more than the whole allowed time again (escalate two levels up).
    """

    response: str
    close: str
    due_response_at: datetime | None
    due_close_at: datetime | None
    state: str
    escalation_level: int = 0
    overdue_by: timedelta | None = field(default=None)


#: What people read for each deadline state (the 时限 column); codes stay in data and APIs.
SLA_STATE_LABELS: Final[dict[str, str]] = {
    "overdue": "已超时", "due_soon": "即将到期", "pending": "未到期", "missed": "超时完成", "met": "按时完成",
    "none": "无时限",
}
_ORDER: Final = ("overdue", "due_soon", "pending", "missed", "met", "none")


def _one(start: datetime, due: datetime | None, done: datetime | None, now: datetime,
         due_soon: float) -> tuple[str, timedelta | None, int]:
    if due is None:
        return "none", None, 0
    due = as_utc(due)
    if done is not None:
        return ("met" if as_utc(done) <= due else "missed"), None, 0
    if now > due:
        late = now - due
        allowed = max(due - as_utc(start), timedelta(seconds=1))
        return "overdue", late, 2 if late > allowed else 1
    left, allowed = due - now, due - as_utc(start)
    return ("due_soon" if left <= allowed * due_soon else "pending"), None, 0


def sla_status(wo: WorkOrder, now: datetime | None = None, *, rules: SlaRules | None = None) -> SlaStatus:
    """Deadline state of ``wo`` at ``now`` (default: the current time)."""
    now = as_utc(now or datetime.now(UTC))
    due_soon = (rules or load_sla_rules()).due_soon
    done = wo.closed_at if wo.status == "closed" else None
    # a case closed without any response (closed as invalid, merged) owes no response any more
    resp, resp_late, resp_level = _one(wo.created_at, wo.due_response_at, wo.first_response_at or done, now,
                                       due_soon)
    # after a reopen the close deadline (re-based by ``reopen``) runs from the reopening
    close, close_late, close_level = _one(wo.reopened_at or wo.created_at, wo.due_close_at, done, now, due_soon)
    state = min((resp, close), key=_ORDER.index)
    late = max((x for x in (resp_late, close_late) if x is not None), default=None)
    return SlaStatus(response=resp, close=close, due_response_at=wo.due_response_at, due_close_at=wo.due_close_at,
                     state=state, escalation_level=max(resp_level, close_level), overdue_by=late)


def is_overdue(wo: WorkOrder, now: datetime | None = None) -> bool:
    """THE definition of overdue: an open case past its close deadline, or past its response deadline
    without any response. :func:`overdue_clause` is its SQL twin (tested to agree)."""
    return sla_status(wo, now).state == "overdue"


def overdue_clause(now: datetime | None = None) -> ColumnElement[bool]:
    """SQL for :func:`is_overdue`, for lists and counts (dashboard, API filter, escalation sweep)."""
    now = as_utc(now or datetime.now(UTC))
    return and_(WorkOrder.status != "closed", or_(
        and_(WorkOrder.first_response_at.is_(None), WorkOrder.due_response_at.is_not(None),
             WorkOrder.due_response_at < now),
        and_(WorkOrder.due_close_at.is_not(None), WorkOrder.due_close_at < now)))
