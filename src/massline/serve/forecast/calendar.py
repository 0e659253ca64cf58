"""Day types for forecasting: working day, weekend, statutory holiday, adjusted working day.

Why not just the weekday: around 春节 and 国庆 a Saturday can be a working day and a
Wednesday a holiday, and the public contacts a hotline far less on days off. Which days are
working days is the deadlines' question too, so it is answered by the one calendar,
:class:`massline.serve.sla.WorkCalendar` (statutory schedule from ``chinesecalendar``, weekends
outside its years); forecasts use its statutory defaults and cache the answer per day, since a
backtest asks about the same days thousands of times.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from massline.serve.sla import WorkCalendar

STATUTORY = WorkCalendar()


@lru_cache(maxsize=8192)
def is_workday(day: date) -> bool:
    return STATUTORY.is_working_day(day)


def day_class(day: date) -> int:
    """0–6: a working day, by weekday (an adjusted working weekend counts as a Monday);
    7: a weekend day off; 8: a statutory holiday on a weekday."""
    if is_workday(day):
        return day.weekday() if day.weekday() < 5 else 0
    return 7 if day.weekday() >= 5 else 8
