"""Parsing the date formats found in real inputs into timezone-aware datetimes.

The 泰迪杯 files alone mix ``2019/2/28 11:25:05``, ``2019/2/8 9:05:01``, ``2017-06-08 17:31:20``
and a bare ``2019/5/10``; spreadsheets give real ``datetime`` cells, feeds give RFC 822.
Naive times are local (the platform's zone, UTC+8 by default): they are written by people
in China, so reading them as UTC would shift every deadline by eight hours.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime

CHINA_TZ = timezone(timedelta(hours=8))

_NUMERIC = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})(?:\.(\d{1,6}))?)?\s*秒?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)


def _offset(text: str | None, default: timezone) -> timezone:
    if not text:
        return default
    if text == "Z":
        return UTC
    sign = 1 if text[0] == "+" else -1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))



def parse_datetime(value: object, *, tz: timezone = CHINA_TZ) -> datetime | None:
    """A datetime for ``value`` (string, datetime, date, Excel serial number), ``None`` when empty.

    Raises ``ValueError`` naming the value when it is not empty and not a date.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=tz)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 < value < 80000:  # Excel serial day number (1954..2119)
            return (datetime(1899, 12, 30) + timedelta(days=float(value))).replace(tzinfo=tz)
        raise ValueError(f"number {value!r} is not a date")
    text = str(value).strip()
    if not text:
        return None
    m = _NUMERIC.match(text)
    if m:
        y, mo, d, h, mi, s, frac, off = m.groups()
        micro = int((frac or "0").ljust(6, "0"))
        try:
            return datetime(
                int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), micro, tzinfo=_offset(off, tz)
            )
        except ValueError as exc:
            raise ValueError(f"invalid date {text!r}: {exc}") from None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    try:
        iso = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"unrecognised date {text!r}") from None
    return iso if iso.tzinfo else iso.replace(tzinfo=tz)
