"""Statements that unite (group-informed consensus) and statements that divide.

Group-informed consensus (Pol.is, ``conversation.clj`` ``group-aware-consensus``) multiplies the
smoothed agree rates of *every* group: a statement only scores high if each group — not just the
largest one — agrees, so a majority cannot manufacture "consensus" by outvoting a minority.
We list a statement as consensus when its score is high *and* a majority of each group agrees
(smoothed rate > 1/2), so a tiny group cannot be ignored by the ranking either.

Divisive statements are those whose agree rates differ most between groups (max − min of the
smoothed rate), among statements each group has voted on.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from massline.consult.repness import GroupStats

MAX_CONSENSUS = 5
MAX_DIVISIVE = 5
#: Every group must have seen a statement this many times before it can unite or divide them.
MIN_SEEN_PER_GROUP = 2


@dataclass(frozen=True)
class Scored:
    statement: Hashable
    direction: str  # "agree" | "disagree"
    score: float
    rates: tuple[float, ...]  # per group: agree rate for agree / divisive, disagree rate for disagree


def consensus_scores(stats: GroupStats) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Group-informed consensus for agreeing and for disagreeing, one value per statement."""
    return np.prod(stats.pa, axis=0), np.prod(stats.pd, axis=0)


def consensus(stats: GroupStats, statements: list[Hashable], eligible: NDArray[np.bool_] | None = None,
              limit: int = MAX_CONSENSUS) -> list[Scored]:
    """Statements every group agrees with (or every group rejects), best first, agrees first."""
    agree_score, disagree_score = consensus_scores(stats)
    ok = _seen_by_all(stats, eligible)
    out: list[Scored] = []
    for direction, score, rate in (("agree", agree_score, stats.pa), ("disagree", disagree_score, stats.pd)):
        mask = ok & np.all(rate > 0.5, axis=0)
        for j in np.flatnonzero(mask)[np.argsort(-score[mask], kind="stable")][:limit]:
            out.append(Scored(statements[int(j)], direction, float(score[j]), tuple(float(r) for r in rate[:, j])))
    return out[:limit] if len(out) > limit else out


def divisive(stats: GroupStats, statements: list[Hashable], eligible: NDArray[np.bool_] | None = None,
             limit: int = MAX_DIVISIVE) -> list[Scored]:
    """Statements on which the groups disagree most with each other."""
    ok = _seen_by_all(stats, eligible)
    spread = stats.pa.max(axis=0) - stats.pa.min(axis=0)
    idx = np.flatnonzero(ok)
    order = idx[np.argsort(-spread[idx], kind="stable")][:limit]
    return [Scored(statements[int(j)], "divisive", float(spread[j]), tuple(float(r) for r in stats.pa[:, j]))
            for j in order if spread[j] > 0]


def _seen_by_all(stats: GroupStats, eligible: NDArray[np.bool_] | None) -> NDArray[np.bool_]:
    ok: NDArray[np.bool_] = np.asarray(np.all(stats.ns >= MIN_SEEN_PER_GROUP, axis=0), dtype=bool)
    return ok if eligible is None else np.asarray(ok & eligible, dtype=bool)
