"""Time shown and time read: the installation's zone, ISO output with offset, inclusive date ranges.

Stored times are aware UTC (``massline.db.base.UTCDateTime``); people see the installation's zone
(``Settings.timezone``, default Asia/Shanghai). Every page, CLI listing and API filter goes through
these few functions, so "what day is it" has one answer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from massline.core.config import get_settings
from massline.core.errors import InputError


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_zone(name: str | None = None) -> ZoneInfo:
    """The installation's display zone (``MASSLINE_TIMEZONE``), or the named one."""
    try:
        return _zone(name or get_settings().timezone)
    except (KeyError, ValueError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise InputError(f"unknown time zone {name!r}", field="timezone") from exc


def to_local(value: datetime, zone: ZoneInfo | None = None) -> datetime:
    """``value`` in the display zone (a naive value is UTC, the storage convention)."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return aware.astimezone(zone or local_zone())


def iso_local(value: datetime | None, zone: ZoneInfo | None = None) -> str | None:
    """ISO 8601 with the zone's offset, seconds precision (``2019-02-08T09:05:01+08:00``)."""
    return None if value is None else to_local(value, zone).replace(microsecond=0).isoformat()


def fmt_local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M", zone: ZoneInfo | None = None) -> str:
    """For pages and tables: local wall-clock text, empty for None."""
    return "" if value is None else to_local(value, zone).strftime(fmt)


def day_bounds(day_from: date | None, day_to: date | None,
               zone: ZoneInfo | None = None) -> tuple[datetime | None, datetime | None]:
    """[start, end) in UTC for calendar days in the zone; ``day_to`` is *inclusive* (its whole day counts)."""
    zone = zone or local_zone()
    start = datetime.combine(day_from, time.min, tzinfo=zone).astimezone(UTC) if day_from else None
    end = (datetime.combine(day_to + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
           if day_to else None)
    return start, end


def parse_instant(text: str, *, field: str, end_of_day: bool = False, zone: ZoneInfo | None = None) -> datetime:
    """A filter bound: ``2019-02-08`` (a local day; with ``end_of_day`` the *next* midnight, for [start, end)),
    or a full ISO 8601 time whose offset is honoured (no offset = the local zone). Returns aware UTC."""
    text = text.strip()
    zone = zone or local_zone()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return day_bounds(None, day, zone)[1] if end_of_day else day_bounds(day, None, zone)[0]  # type: ignore[return-value]
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD) or an ISO 8601 time", field=field) from exc
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)).astimezone(UTC)
