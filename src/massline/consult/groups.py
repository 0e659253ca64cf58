"""Opinion groups the Pol.is way: impute, PCA to 2-D, base clusters, then 2–5 groups by silhouette.

Why each step (following the published Pol.is math, ``polismath`` and its Python port
red-dwarf, re-implemented here):

* **Imputation with column means** — a missing vote is "unknown", not "pass"; the column mean
  is the least informative guess and makes missing cells contribute nothing after centring.
* **PCA to two components** over the imputed matrix (moderated-out statements zeroed, so they
  cannot shape the map). A participant's projection uses only the statements they voted on
  and is scaled by ``sqrt(n_statements / n_voted)``: without it, people who voted little sit
  near the centre merely for lack of data.
* **Base clusters, then groups** — Pol.is first k-means the participants into ~100 small
  base clusters and then clusters those (weighted by size) into k = 2..5 groups, k chosen by
  silhouette. The two-stage scheme smooths the map and keeps the group step cheap.
* **Stable labels** — group indices are matched to the previous run's centres (Hungarian
  assignment) and k only changes when the new k wins clearly, so a reader's "group A" stays
  group A as votes arrive.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from massline.consult.matrix import FloatMatrix, VoteMatrix, min_votes

K_RANGE = (2, 5)
#: A larger k must beat the smallest candidate's silhouette by more than this to be chosen.
#: Pol.is holds k back (its "k smoother" waits for a new k to win several updates in a row), and on
#: the three shipped exports its groups were all k = 2 while raw silhouette often preferred 3–5 by
#: a few hundredths; this margin is the one-shot analogue of that conservatism.
K_PARSIMONY = 0.05
#: Cap on the sparsity scale sqrt(n_statements / n_voted). Uncapped, someone with 1 vote out of
#: 300 lands 17× further out than their vote justifies; older Pol.is did not scale at all. 2 keeps
#: the correction for moderately sparse voters and keeps low-vote participants near the centre.
SCALE_CAP = 2.0
N_INIT = 10
SILHOUETTE_SAMPLE = 2000


@dataclass
class Projection:
    """The fitted 2-D map: column centres and the two principal axes."""

    center: FloatMatrix  # (n_statements,)
    components: FloatMatrix  # (2, n_statements)
    keep: NDArray[np.bool_]  # statements allowed to shape the map (not moderated out)


@dataclass
class GroupResult:
    """Everything the results page and the statistics need from one clustering run."""

    participants: list[Hashable]  # in-conversation participants, row order of ``coords``/``labels``
    rows: NDArray[np.int64]  # their row indices in the vote matrix
    coords: FloatMatrix  # (n, 2)
    labels: NDArray[np.int64]  # group index per participant
    k: int
    centers: FloatMatrix  # (k, 2) group centres in map coordinates
    silhouette: float
    projection: Projection



    def group_of(self) -> dict[Hashable, int]:
        return {p: int(g) for p, g in zip(self.participants, self.labels, strict=True)}

    def sizes(self) -> list[int]:
        return [int((self.labels == g).sum()) for g in range(self.k)]


def in_conversation(matrix: VoteMatrix, keep: NDArray[np.bool_] | None = None) -> NDArray[np.int64]:
    """Row indices of participants who voted on at least min(7, n_statements) statements."""
    values = matrix.values if keep is None else matrix.values[:, keep]
    counts = np.isfinite(values).sum(axis=1)
    return np.flatnonzero(counts >= min_votes(values.shape[1]))


def fit_projection(matrix: VoteMatrix, moderated_out: Sequence[Hashable] = (),
                   rows: NDArray[np.int64] | None = None) -> Projection:
    """PCA (2 components) of the mean-imputed matrix with moderated-out statements zeroed."""
    keep = np.ones(len(matrix.statements), dtype=bool)
    for s in moderated_out:
        j = matrix.col(s)
        if j is not None:
            keep[j] = False
    values = matrix.values if rows is None else matrix.values[rows]
    center = _column_means(values)
    centered = np.where(np.isfinite(values), values - center, 0.0)
    centered[:, ~keep] = 0.0
    components = _top_components(centered, 2)
    return Projection(center=center, components=components, keep=keep)


def project(matrix_values: FloatMatrix, projection: Projection, cap: float = SCALE_CAP) -> FloatMatrix:
    """Sparsity-aware projection: only voted cells count, scaled by sqrt(n_statements / n_voted) (capped)."""
    voted = np.isfinite(matrix_values)
    centered = np.where(voted, matrix_values - projection.center, 0.0)
    centered[:, ~projection.keep] = 0.0
    coords = centered @ projection.components.T
    n_voted = voted[:, projection.keep].sum(axis=1)
    n_total = int(projection.keep.sum())
    scale = np.minimum(np.sqrt(n_total / np.maximum(n_voted, 1)), cap)
    return np.asarray(coords * scale[:, None], dtype=np.float64)


def compute_groups(matrix: VoteMatrix, moderated_out: Sequence[Hashable] = (),
                   previous: GroupResult | None = None, seed: int = 0,
                   cluster_all_voters: bool = False) -> GroupResult | None:
    """Full recompute: projection, clustering, k. ``None`` while too few people took part.

    ``cluster_all_voters`` is the *legacy Pol.is* treatment: older Pol.is versions let everyone
    who voted at all take part in k-means (low-vote participants then act as mass near the
    centre). They are still never reported in a group. Current Pol.is (and our default)
    clusters only participants above the vote threshold.
    """
    keep = _keep_mask(matrix, moderated_out)
    rows = in_conversation(matrix, keep)
    if len(rows) < K_RANGE[0] + 1:
        return None
    projection = fit_projection(matrix, moderated_out, rows=rows)
    counts = np.isfinite(matrix.values[:, keep]).sum(axis=1)
    cluster_rows = np.flatnonzero(counts >= 1) if cluster_all_voters else rows
    coords = project(matrix.values[cluster_rows], projection)
    return cluster(matrix, cluster_rows, coords, projection, reported=np.isin(cluster_rows, rows),
                   previous=previous, seed=seed)


def cluster(matrix: VoteMatrix, rows: NDArray[np.int64], coords: FloatMatrix, projection: Projection,
            reported: NDArray[np.bool_] | None = None, previous: GroupResult | None = None, seed: int = 0,
            warm: bool = False) -> GroupResult | None:
    """k-means for k = 2..5, k by silhouette (with parsimony), labels aligned with ``previous``.

    ``warm`` (incremental updates): only the previous k, started from the previous centres,
    one k-means run — bounded time; the full search runs on demand.
    """
    if reported is None:
        reported = np.ones(len(rows), dtype=bool)
    n_unique = len(np.unique(np.round(coords, 9), axis=0))
    if n_unique < K_RANGE[0]:
        return None
    if warm and previous is not None and previous.k <= n_unique:
        km = KMeans(n_clusters=previous.k, init=previous.centers, n_init=1, random_state=seed).fit(coords)
        labels = np.asarray(km.labels_, dtype=np.int64)
        score = previous.silhouette
        k, centers = previous.k, km.cluster_centers_
    else:
        scores: dict[int, tuple[float, NDArray[np.int64], FloatMatrix]] = {}
        for k in range(K_RANGE[0], min(K_RANGE[1], n_unique, len(coords) - 1) + 1):
            km = KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit(coords)
            labels = np.asarray(km.labels_, dtype=np.int64)
            if len(np.unique(labels)) < 2:
                continue
            if len(np.unique(labels[reported])) < 2:
                continue
            sample = min(SILHOUETTE_SAMPLE, int(reported.sum()))
            score = float(silhouette_score(coords[reported], labels[reported], sample_size=sample,
                                           random_state=seed))
            scores[k] = (score, labels, km.cluster_centers_)
        if not scores:
            return None
        k = choose_k({kk: v[0] for kk, v in scores.items()}, previous.k if previous is not None else None)
        score, labels, centers = scores[k]
    labels, centers = _order_labels(labels, centers, previous)
    keep_rows = rows[reported]
    return GroupResult(
        participants=[matrix.participants[i] for i in keep_rows], rows=keep_rows, coords=coords[reported],
        labels=labels[reported], k=k, centers=centers, silhouette=score, projection=projection,
    )


def choose_k(silhouettes: dict[int, float], previous_k: int | None = None) -> int:
    """The smallest k whose silhouette is within :data:`K_PARSIMONY` of the best (previous k first)."""
    best = max(silhouettes.values())
    if previous_k in silhouettes and silhouettes[previous_k] >= best - K_PARSIMONY:
        return previous_k
    return min(k for k, s in silhouettes.items() if s >= best - K_PARSIMONY)


def _keep_mask(matrix: VoteMatrix, moderated_out: Sequence[Hashable]) -> NDArray[np.bool_]:
    keep = np.ones(len(matrix.statements), dtype=bool)
    for s in moderated_out:
        j = matrix.col(s)
        if j is not None:
            keep[j] = False
    return keep


def _column_means(values: FloatMatrix) -> FloatMatrix:
    voted = np.isfinite(values)
    sums = np.where(voted, values, 0.0).sum(axis=0)
    counts = voted.sum(axis=0)
    return np.asarray(np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0), dtype=np.float64)


def _top_components(centered: FloatMatrix, n: int) -> FloatMatrix:
    """Leading right singular vectors, sign fixed so the largest loading is positive (deterministic)."""
    if centered.shape[0] == 0 or centered.shape[1] == 0:
        return np.zeros((n, centered.shape[1]))
    _, _, vt = np.linalg.svd(centered, full_matrices=False)
    comps = np.zeros((n, centered.shape[1]))
    m = min(n, vt.shape[0])
    comps[:m] = vt[:m]
    for i in range(m):
        if comps[i, np.argmax(np.abs(comps[i]))] < 0:
            comps[i] = -comps[i]
    return comps


def _order_labels(labels: NDArray[np.int64], centers: FloatMatrix,
                  previous: GroupResult | None) -> tuple[NDArray[np.int64], FloatMatrix]:
    """Stable group indices: match the previous centres (Hungarian), else order by size (largest = 0)."""
    k = len(centers)
    sizes = np.bincount(labels, minlength=k)
    if previous is not None and len(previous.centers):
        cost = np.linalg.norm(centers[:, None, :] - previous.centers[None, :, :], axis=2)
        new_rows, old_cols = linear_sum_assignment(cost)
        # matched groups keep the relative order of their old indices; new groups follow, largest first
        matched = sorted(zip(old_cols.tolist(), new_rows.tolist(), strict=True))
        order_new = [r for _, r in matched]
        order_new += [int(r) for r in np.argsort(-sizes, kind="stable") if int(r) not in order_new]
    else:
        order_new = [int(r) for r in np.argsort(-sizes, kind="stable")]
    mapping = np.zeros(k, dtype=np.int64)
    for new, old in enumerate(order_new):
        mapping[old] = new
    return mapping[labels], centers[order_new]
