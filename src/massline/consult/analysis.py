"""One consultation's opinion results, computed in full on demand or updated per vote in bounded time.

Why two paths: a full recompute (PCA + k-means for k = 2..5, several restarts) costs seconds on a
large consultation, too slow to run on every vote. An incremental update keeps the fitted PCA
axes, re-projects only the voter whose row changed, runs one warm-started k-means from the
previous group centres (same k), and recomputes the per-statement counts — all linear in the
matrix size. The full recompute runs on demand (organiser button, CLI) and whenever the
incremental path has drifted (every :data:`REFIT_EVERY` votes or when a statement is added).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from massline.consult.consensus import Scored, consensus, divisive
from massline.consult.groups import GroupResult, cluster, compute_groups, in_conversation, project
from massline.consult.matrix import Vote, VoteMatrix
from massline.consult.repness import GroupStats, Representative, group_stats, representative

REFIT_EVERY = 500


@dataclass
class Analysis:
    """Groups plus the statement lists the results page shows."""

    groups: GroupResult | None
    stats: GroupStats | None
    representative: dict[int, list[Representative]] = field(default_factory=dict)
    consensus: list[Scored] = field(default_factory=list)
    divisive: list[Scored] = field(default_factory=list)
    n_participants: int = 0
    n_in_groups: int = 0
    statements: list[Hashable] = field(default_factory=list)

    def column(self, statement: Hashable) -> int | None:
        """Column of ``statement`` in the statistics arrays (``None`` if it has no votes yet)."""
        try:
            return self.statements.index(statement)
        except ValueError:
            return None

    def as_json(self) -> dict[str, object]:
        """The ``massline consult groups`` contract: ids as strings (JSON keys), groups as ints."""
        g = self.groups
        return {
            "groups": {str(p): int(lab) for p, lab in zip(g.participants, g.labels, strict=True)} if g else {},
            "k": g.k if g else 0,
            "consensus": [_jsonable(s.statement) for s in self.consensus],
            "representative": {str(gi): [_jsonable(r.statement) for r in reps]
                               for gi, reps in sorted(self.representative.items())},
        }


def analyze(matrix: VoteMatrix, moderated_out: Sequence[Hashable] = (), previous: GroupResult | None = None,
            seed: int = 0, cluster_all_voters: bool = False) -> Analysis:
    """Full recompute."""
    groups = compute_groups(matrix, moderated_out, previous=previous, seed=seed,
                            cluster_all_voters=cluster_all_voters)
    return _describe(matrix, moderated_out, groups)


def _describe(matrix: VoteMatrix, moderated_out: Sequence[Hashable], groups: GroupResult | None) -> Analysis:
    n_participants = len(matrix.participants)
    if groups is None:
        return Analysis(None, None, n_participants=n_participants, statements=list(matrix.statements))
    eligible = _eligible(matrix, moderated_out)
    stats = group_stats(matrix.values[groups.rows], groups.labels, groups.k)
    return Analysis(
        groups=groups, stats=stats,
        representative=representative(stats, matrix.statements, eligible),
        consensus=consensus(stats, matrix.statements, eligible),
        divisive=divisive(stats, matrix.statements, eligible),
        n_participants=n_participants, n_in_groups=len(groups.participants), statements=list(matrix.statements),
    )


def _eligible(matrix: VoteMatrix, moderated_out: Sequence[Hashable]) -> NDArray[np.bool_]:
    out = set(moderated_out)
    return np.asarray([s not in out for s in matrix.statements], dtype=bool)


class IncrementalAnalyzer:
    """Keeps a consultation's matrix and last result in memory and updates them vote by vote."""

    def __init__(self, votes: Iterable[Vote], statements: Sequence[Hashable],
                 moderated_out: Sequence[Hashable] = (), seed: int = 0) -> None:
        self.matrix = VoteMatrix.from_votes(votes, statements)
        self.moderated_out = list(moderated_out)
        self.seed = seed
        self.since_refit = 0
        self.result = analyze(self.matrix, self.moderated_out, seed=seed)

    def recompute(self) -> Analysis:
        """Full recompute on demand (new PCA axes, k searched again, labels kept stable)."""
        previous = self.result.groups
        self.result = analyze(self.matrix, self.moderated_out, previous=previous, seed=self.seed)
        self.since_refit = 0
        return self.result

    def add_vote(self, participant: Hashable, statement: Hashable, value: int) -> Analysis:
        """Record one vote and update the results without refitting the PCA."""
        new_statement = self.matrix.col(statement) is None
        self.matrix.set_vote(participant, statement, value)
        self.since_refit += 1
        previous = self.result.groups
        if previous is None or new_statement or self.since_refit >= REFIT_EVERY:
            return self.recompute()
        keep = previous.projection.keep
        rows = in_conversation(self.matrix, keep)
        coords = project(self.matrix.values[rows], previous.projection)
        groups = cluster(self.matrix, rows, coords, previous.projection, previous=previous, seed=self.seed,
                         warm=True)
        self.result = _describe(self.matrix, self.moderated_out, groups)
        return self.result


def _jsonable(value: Hashable) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, int | str | float):
        return value
    return str(value)
