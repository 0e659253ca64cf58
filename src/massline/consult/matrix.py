"""The participant × statement vote matrix every opinion computation starts from.

Votes are agree = 1, disagree = -1, pass = 0; a statement a participant has not seen is
missing (NaN), which is *not* the same as a pass: Pol.is imputes missing cells, it never
reads them as neutral votes. Only a participant's latest vote on a statement counts (votes
may be changed; the history lives in the database, not here).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

AGREE, DISAGREE, PASS = 1, -1, 0

#: Pol.is counts a participant in the groups once they voted on at least this many statements
#: (or on all of them, when a conversation has fewer).
MIN_VOTES = 7

FloatMatrix = NDArray[np.float64]


@dataclass(frozen=True)
class Vote:
    """One vote as read from a store or an export; ``at`` orders changes (later wins)."""

    participant: Hashable
    statement: Hashable
    value: int
    at: float = 0.0


@dataclass
class VoteMatrix:
    """Rows = participants, columns = statements, cells = latest vote or NaN when unseen."""

    participants: list[Hashable]
    statements: list[Hashable]
    values: FloatMatrix
    _row: dict[Hashable, int] = field(default_factory=dict, repr=False)
    _col: dict[Hashable, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._row = {p: i for i, p in enumerate(self.participants)}
        self._col = {s: j for j, s in enumerate(self.statements)}

    @classmethod
    def from_votes(cls, votes: Iterable[Vote], statements: Sequence[Hashable] | None = None) -> VoteMatrix:
        """Build the matrix from votes in any order; a later ``at`` overrides an earlier vote.

        ``statements`` fixes the column order (and keeps statements nobody voted on yet);
        votes on statements outside it are ignored (e.g. a statement still awaiting moderation).
        """
        latest: dict[tuple[Hashable, Hashable], tuple[float, int]] = {}
        for v in votes:
            key = (v.participant, v.statement)
            seen = latest.get(key)
            if seen is None or v.at >= seen[0]:
                latest[key] = (v.at, int(v.value))
        if statements is None:
            cols = sorted({s for _, s in latest}, key=_sort_key)
        else:
            cols = list(statements)
        col_index = {s: j for j, s in enumerate(cols)}
        rows = sorted({p for p, s in latest if s in col_index}, key=_sort_key)
        row_index = {p: i for i, p in enumerate(rows)}
        values = np.full((len(rows), len(cols)), np.nan)
        for (p, s), (_, value) in latest.items():
            j = col_index.get(s)
            if j is not None:
                values[row_index[p], j] = float(np.sign(value))
        return cls(rows, cols, values)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.participants), len(self.statements))

    def row(self, participant: Hashable) -> int | None:
        return self._row.get(participant)

    def col(self, statement: Hashable) -> int | None:
        return self._col.get(statement)

    def vote_counts(self) -> NDArray[np.int64]:
        """Number of statements each participant voted on (passes count as votes)."""
        return np.asarray(np.isfinite(self.values).sum(axis=1), dtype=np.int64)

    def set_vote(self, participant: Hashable, statement: Hashable, value: int) -> tuple[int, int]:
        """Record one vote in place, growing the matrix for a new participant or statement."""
        i = self._row.get(participant)
        if i is None:
            i = len(self.participants)
            self.participants.append(participant)
            self._row[participant] = i
            self.values = np.vstack([self.values, np.full((1, self.values.shape[1]), np.nan)])
        j = self._col.get(statement)
        if j is None:
            j = len(self.statements)
            self.statements.append(statement)
            self._col[statement] = j
            self.values = np.hstack([self.values, np.full((self.values.shape[0], 1), np.nan)])
        self.values[i, j] = float(np.sign(value))
        return i, j


def min_votes(n_statements: int) -> int:
    """The participation threshold: min(7, number of statements), at least 1."""
    return max(1, min(MIN_VOTES, n_statements))


def _sort_key(value: Hashable) -> tuple[int, float, str]:
    """Numbers in numeric order before strings, so Pol.is ids sort like the export does."""
    if isinstance(value, int | float):
        return (0, float(value), "")
    text = str(value)
    try:
        return (0, float(text), "")
    except ValueError:
        return (1, 0.0, text)
