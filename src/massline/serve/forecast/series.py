"""Count series from timestamped events, in the installation's time zone.

Why local days: a 12345 centre plans shifts by its own calendar day, and a message sent at
23:30 Beijing time belongs to that day, not to the next UTC one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

FREQS = ("D", "W")
TOTAL = "全部"


@dataclass(slots=True)
class Series:
    """One count series: ``values[i]`` events in the period starting ``start + i`` periods."""

    level: str
    key: str
    freq: str
    start: date
    values: np.ndarray

    def period_start(self, i: int) -> date:
        step = 1 if self.freq == "D" else 7
        return self.start + timedelta(days=step * i)

    @property
    def season(self) -> int:
        """Season length used by the seasonal naive baseline: a week of days; weeks have none we can see."""
        return 7 if self.freq == "D" else 1


def split_level(series: list[Series], level: str) -> tuple[Series, list[Series]]:
    """The total and the series a level is made of (for the total level, the total itself)."""
    total = next(s for s in series if s.key == TOTAL)
    return total, [s for s in series if s.key != TOTAL] if level != "total" else [total]


def period_of(day: date, freq: str) -> date:
    """The first day of the period holding ``day`` (weeks start on Monday, as Chinese work weeks do)."""
    return day if freq == "D" else day - timedelta(days=day.weekday())


def build_series(events: Iterable[tuple[datetime, str | None]], *, level: str, freq: str, tz: ZoneInfo,
                 start: date | None = None, end: date | None = None) -> list[Series]:
    """One series per key plus the total, over the same periods (zeros filled).

    ``events`` are ``(aware timestamp, key)``; a ``None`` key counts only in the total. The range
    runs from ``start`` (default: the first event) to ``end`` (default: the last event), whole periods.
    """
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {', '.join(FREQS)}, not {freq!r}")
    counts: dict[str, Counter[date]] = defaultdict(Counter)
    days: list[date] = []
    for when, key in events:
        day = when.astimezone(tz).date()
        days.append(day)
        p = period_of(day, freq)
        counts[TOTAL][p] += 1
        if key is not None and level != "total":
            counts[key][p] += 1
    if not days:
        return []
    first = period_of(start or min(days), freq)
    last = period_of(end or max(days), freq)
    step = 1 if freq == "D" else 7
    n = (last - first).days // step + 1
    out = []
    for key, counter in sorted(counts.items()):
        values = np.zeros(n, dtype=float)
        for p, c in counter.items():
            i = (p - first).days // step
            if 0 <= i < n:
                values[i] = c
        out.append(Series(level if key != TOTAL else "total", key, freq, first, values))
    return out
