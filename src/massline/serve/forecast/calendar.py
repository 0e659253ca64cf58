"""Day types for forecasting: working day, weekend, statutory holiday, adjusted working day.

Why not just the weekday: around 春节 and 国庆 a Saturday can be a working day and a
Wednesday a holiday, and the public contacts a hotline far less on days off. The official
schedule comes from ``chinesecalendar`` (2004–2026); outside its years we fall back to the
plain weekday and say so through :func:`covered`.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=8192)
def is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package has no schedule for
        return day.weekday() < 5


def covered(day: date) -> bool:
    """Whether the official schedule is known for ``day``'s year."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def day_class(day: date) -> int:
    """0–6: a working day, by weekday (an adjusted working weekend counts as a Monday);
    7: a weekend day off; 8: a statutory holiday on a weekday."""
    if is_workday(day):
        return day.weekday() if day.weekday() < 5 else 0
    return 7 if day.weekday() >= 5 else 8
