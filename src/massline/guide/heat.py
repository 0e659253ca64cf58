"""The heat index of an issue: a sum of named parts, so an analyst sees *why* an issue ranks where it does.

Each part is a weighted, log-damped signal (one issue with 2,000 likes must not drown fifty residents
writing in): volume (messages), people (distinct writers), growth (messages in the last
:data:`RECENT_DAYS` against the issue's own earlier rate), reactions (点赞 + 反对, shrunk toward the archive's
mean per message with a prior of :data:`REACTION_PRIOR` messages — the small-sample correction: one message
with many likes is less certain evidence than ten with some), duration (days from first to last message) and
spread (distinct days and places). ``heat`` is the sum of the rounded parts, so the parts add up exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

WEIGHTS: dict[str, float] = {
    "volume": 2.0, "people": 2.0, "growth": 1.0, "reactions": 1.0, "duration": 0.5, "spread": 1.0,
}
RECENT_DAYS = 30
REACTION_PRIOR = 3.0
PARTS = tuple(WEIGHTS)


@dataclass(frozen=True)
class HeatInput:
    """What the index needs about one issue."""

    times: Sequence[datetime]
    users: int
    likes: int
    dislikes: int
    places: int


def heat_parts(issue: HeatInput, *, now: datetime, mean_reactions: float) -> dict[str, float]:
    """The named parts (each rounded to 3 decimals); their sum is the heat index."""
    n = len(issue.times)
    first, last = min(issue.times), max(issue.times)
    recent_start = now - timedelta(days=RECENT_DAYS)
    recent = sum(1 for t in issue.times if t >= recent_start)
    earlier_days = max((recent_start - first).total_seconds() / 86400.0, RECENT_DAYS)
    expected_recent = (n - recent) * RECENT_DAYS / earlier_days
    growth = max(0.0, math.log1p(recent) - math.log1p(expected_recent))
    reactions = issue.likes + issue.dislikes
    shrunk_per_message = (reactions + REACTION_PRIOR * mean_reactions) / (n + REACTION_PRIOR)
    days = len({t.date() for t in issue.times})
    raw = {
        "volume": math.log1p(n),
        "people": math.log1p(issue.users),
        "growth": growth,
        "reactions": math.log1p(shrunk_per_message * n) - math.log1p(mean_reactions),
        "duration": math.log1p((last - first).total_seconds() / 86400.0) / 2.0,
        "spread": math.log1p(days) / 2.0 + math.log1p(issue.places) / 4.0,
    }
    return {k: round(WEIGHTS[k] * max(raw[k], 0.0), 3) for k in PARTS}


def heat_index(parts: dict[str, float]) -> float:
    return round(sum(parts[k] for k in PARTS), 3)
