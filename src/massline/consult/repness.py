"""Per-group statement statistics and representative statements (Pol.is "repness").

For every group g and statement c (Pol.is, ``polismath/math/repness.clj``; red-dwarf ``stats``):

* ``pa = (na + 1) / (ns + 2)`` — Laplace-smoothed agree rate inside the group (``pd`` likewise),
* ``pat`` — one-proportion z-test that the group agrees more often than not,
* ``ra = pa / pa_rest`` — how much more the group agrees than everybody else,
* ``rat`` — two-proportion z-test of the group's agree rate against the rest's.

A statement represents a group when both tests pass at 90 % one-sided (z > 1.2816) for agree or
for disagree; candidates are ranked by ``r * r_test * p * p_test`` and Pol.is shows up to five,
agrees first. Smoothing keeps a handful of votes from looking like certainty.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from massline.consult.matrix import FloatMatrix

Z_90 = 1.2816
MAX_REPRESENTATIVE = 5


@dataclass
class GroupStats:
    """Arrays of shape (k, n_statements): counts, rates and z-scores per group and statement."""

    na: NDArray[np.int64]
    nd: NDArray[np.int64]
    ns: NDArray[np.int64]
    pa: FloatMatrix
    pd: FloatMatrix
    pat: FloatMatrix
    pdt: FloatMatrix
    ra: FloatMatrix
    rd: FloatMatrix
    rat: FloatMatrix
    rdt: FloatMatrix


@dataclass(frozen=True)
class Representative:
    """One representative statement of a group, with the figures the page shows."""

    statement: Hashable
    direction: str  # "agree" | "disagree"
    n_success: int
    n_trials: int
    p_success: float
    repness: float
    repness_test: float


def one_prop_test(succ: FloatMatrix, n: FloatMatrix) -> FloatMatrix:
    """z of a proportion against 1/2, with the +1 smoothing Pol.is uses."""
    succ, n = succ + 1.0, n + 1.0
    return np.asarray(2.0 * np.sqrt(n) * (succ / n - 0.5), dtype=np.float64)


def two_prop_test(succ_in: FloatMatrix, succ_out: FloatMatrix, n_in: FloatMatrix, n_out: FloatMatrix) -> FloatMatrix:
    """z of the in-group proportion against the out-group one (pooled variance, +1 smoothing)."""
    s1, s2, n1, n2 = succ_in + 1.0, succ_out + 1.0, n_in + 1.0, n_out + 1.0
    p1, p2 = s1 / n1, s2 / n2
    p = (s1 + s2) / (n1 + n2)
    denom = np.sqrt(p * (1.0 - p) * (1.0 / n1 + 1.0 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(denom > 0, (p1 - p2) / denom, 0.0)
    return np.asarray(z, dtype=np.float64)


def group_stats(values: FloatMatrix, labels: NDArray[np.int64], k: int) -> GroupStats:
    """Statistics of every statement in every group; ``values`` rows align with ``labels``."""
    agree = (values == 1).astype(np.int64)
    disagree = (values == -1).astype(np.int64)
    seen = np.isfinite(values).astype(np.int64)
    na = np.stack([agree[labels == g].sum(axis=0) for g in range(k)])
    nd = np.stack([disagree[labels == g].sum(axis=0) for g in range(k)])
    ns = np.stack([seen[labels == g].sum(axis=0) for g in range(k)])
    na_all, nd_all, ns_all = agree.sum(axis=0), disagree.sum(axis=0), seen.sum(axis=0)
    na_out, nd_out, ns_out = na_all - na, nd_all - nd, ns_all - ns
    pa = (na + 1.0) / (ns + 2.0)
    pd = (nd + 1.0) / (ns + 2.0)
    pa_out = (na_out + 1.0) / (ns_out + 2.0)
    pd_out = (nd_out + 1.0) / (ns_out + 2.0)
    f = np.float64
    return GroupStats(
        na=na, nd=nd, ns=ns, pa=pa, pd=pd,
        pat=one_prop_test(na.astype(f), ns.astype(f)), pdt=one_prop_test(nd.astype(f), ns.astype(f)),
        ra=pa / pa_out, rd=pd / pd_out,
        rat=two_prop_test(na.astype(f), na_out.astype(f), ns.astype(f), ns_out.astype(f)),
        rdt=two_prop_test(nd.astype(f), nd_out.astype(f), ns.astype(f), ns_out.astype(f)),
    )


def representative(stats: GroupStats, statements: list[Hashable], eligible: NDArray[np.bool_] | None = None,
                   limit: int = MAX_REPRESENTATIVE) -> dict[int, list[Representative]]:
    """Up to ``limit`` representative statements per group, agrees before disagrees.

    If no statement passes the tests for a group, the one with the best agree evidence is
    still shown (as Pol.is does), so every group has something that describes it.
    """
    k, n = stats.pa.shape
    ok = np.ones(n, dtype=bool) if eligible is None else eligible
    out: dict[int, list[Representative]] = {}
    for g in range(k):
        cands: list[tuple[int, float, Representative]] = []
        for j in np.flatnonzero(ok & (stats.ns[g] > 0)):
            agree_side = stats.rat[g, j] > stats.rdt[g, j]
            if agree_side:
                sig = stats.pat[g, j] > Z_90 and stats.rat[g, j] > Z_90
                metric = stats.ra[g, j] * stats.rat[g, j] * stats.pa[g, j] * stats.pat[g, j]
            else:
                sig = stats.pdt[g, j] > Z_90 and stats.rdt[g, j] > Z_90
                metric = stats.rd[g, j] * stats.rdt[g, j] * stats.pd[g, j] * stats.pdt[g, j]
            if sig:
                cands.append((0 if agree_side else 1, -float(metric), _rep(stats, statements, g, int(j), agree_side)))
        cands.sort(key=lambda c: c[1])
        chosen = sorted(cands[:limit], key=lambda c: (c[0], c[1]))
        reps = [c[2] for c in chosen]
        if not reps:
            seen = np.flatnonzero(ok & (stats.ns[g] > 0))
            if len(seen):
                best = int(seen[np.argmax(stats.pa[g, seen] * stats.pat[g, seen])])
                reps = [_rep(stats, statements, g, best, True)]
        out[g] = reps
    return out


def _rep(stats: GroupStats, statements: list[Hashable], g: int, j: int, agree: bool) -> Representative:
    return Representative(
        statement=statements[j], direction="agree" if agree else "disagree",
        n_success=int(stats.na[g, j] if agree else stats.nd[g, j]), n_trials=int(stats.ns[g, j]),
        p_success=float(stats.pa[g, j] if agree else stats.pd[g, j]),
        repness=float(stats.ra[g, j] if agree else stats.rd[g, j]),
        repness_test=float(stats.rat[g, j] if agree else stats.rdt[g, j]),
    )
