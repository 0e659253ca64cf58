"""Consultation results after one vote: incremental update vs full recompute (2,000 × 200, synthetic).

Why this baseline: the issue asks that results update within 2 s of a vote on a consultation of
2,000 participants × 200 statements. The full recompute (PCA + k-means for k = 2..5 with
restarts + statistics) is what we would otherwise run per vote; the incremental path keeps the
PCA axes and warm-starts k-means from the previous centres. Synthetic votes: three latent
opinion groups, each participant sees a random 30 % of the statements.

Run: ``.venv/bin/python benchmarks/run.py consult`` (well under a minute).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np

from massline.consult.analysis import IncrementalAnalyzer
from massline.consult.matrix import Vote

N_PARTICIPANTS, N_STATEMENTS, SEEN, N_UPDATES = 2000, 200, 0.3, 20


def synthetic_votes(seed: int = 0) -> list[Vote]:
    rng = np.random.default_rng(seed)
    stance = rng.normal(size=(3, N_STATEMENTS))
    group = rng.integers(0, 3, N_PARTICIPANTS)
    votes = []
    for p in range(N_PARTICIPANTS):
        seen = rng.random(N_STATEMENTS) < SEEN
        noisy = stance[group[p]] + rng.normal(scale=0.8, size=N_STATEMENTS)
        for s in np.flatnonzero(seen):
            value = 1 if noisy[s] > 0.4 else (-1 if noisy[s] < -0.4 else 0)
            votes.append(Vote(p, int(s), value))
    return votes


def run() -> dict[str, Any]:
    votes = synthetic_votes()
    started = time.perf_counter()
    analyzer = IncrementalAnalyzer(votes, list(range(N_STATEMENTS)))
    full_first = time.perf_counter() - started
    started = time.perf_counter()
    analyzer.recompute()
    full = time.perf_counter() - started
    rng = np.random.default_rng(1)
    timings = []
    for _ in range(N_UPDATES):
        p, s, v = int(rng.integers(0, N_PARTICIPANTS)), int(rng.integers(0, N_STATEMENTS)), int(rng.integers(-1, 2))
        t = time.perf_counter()
        analyzer.add_vote(p, s, v)
        timings.append(time.perf_counter() - t)
    median, worst = statistics.median(timings), max(timings)
    return {
        "name": "bench_consult",
        "metrics": {"votes": len(votes), "participants": N_PARTICIPANTS, "statements": N_STATEMENTS,
                    "k": analyzer.result.groups.k if analyzer.result.groups else 0,
                    "update_median_s": round(median, 4), "update_max_s": round(worst, 4),
                    "under_2s": worst < 2.0},
        "baseline": {"full_recompute_s": round(full, 3), "first_full_s": round(full_first, 3)},
        "ratio": round(median / full, 4),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run()))
