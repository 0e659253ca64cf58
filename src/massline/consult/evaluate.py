"""Validation of our groups against the groups Pol.is itself computed (``massline eval consult``).

Figures per export:

* ``ari`` — adjusted Rand index between our groups and Pol.is's ``group-id`` over the
  participants both place in a group, with the participant treatment Pol.is used for that export.
  Pol.is changed its rules over the years: the football export places 842 people with fewer than
  7 votes in groups, which only the older "everyone who voted takes part in k-means" rule does.
  We detect this from the export (does Pol.is place anyone below the vote minimum?) — membership
  only, never the labels — and then cluster every voter (``cluster_all_voters``). We never report
  such participants in our own groups.
* ``ari_default`` — the same with our default (current Pol.is) rule, for transparency.
* ``rep_overlap`` — for each of our groups, matched to a Pol.is group (Hungarian on the
  contingency table), the share of its representative statements that are also representative
  of the matched Pol.is group when the same repness rule runs on Pol.is's labels; averaged.
  (Exports carry Pol.is's groups but not its representative lists, so this is the fair proxy.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score

from massline.consult.analysis import analyze
from massline.consult.matrix import VoteMatrix, min_votes
from massline.consult.polis_io import POLIS_ATTRIBUTION, PolisExport, read_export
from massline.consult.repness import group_stats, representative

DEFAULT_EXPORTS = ("vtaiwan.uberx", "15-per-hour-seattle", "football-concussions")


def polis_clusters_low_vote(export: PolisExport, matrix: VoteMatrix) -> bool:
    """Whether Pol.is placed many participants below the vote minimum in groups (older Pol.is rule).

    "Many" = more than 5 % of its grouped participants: current Pol.is keeps a participant "in the
    conversation" once they were (sticky), so a stray one or two below the minimum are expected.
    """
    keep = np.asarray([s not in export.moderated_out for s in matrix.statements])
    counts = np.isfinite(matrix.values[:, keep]).sum(axis=1)
    threshold = min_votes(int(keep.sum()))
    low = {p for p, c in zip(matrix.participants, counts, strict=True) if c < threshold}
    n_low = sum(1 for p in export.reference_groups if p in low)
    return n_low > 0.05 * max(1, len(export.reference_groups))


def evaluate_export(directory: Path, seed: int = 0) -> dict[str, Any]:
    export = read_export(directory)
    matrix = VoteMatrix.from_votes(export.votes, [c.id for c in export.comments])
    legacy = polis_clusters_low_vote(export, matrix)
    result = analyze(matrix, sorted(export.moderated_out), seed=seed, cluster_all_voters=legacy)
    default = analyze(matrix, sorted(export.moderated_out), seed=seed) if legacy else result
    ref = export.reference_groups
    out: dict[str, Any] = {
        "export": export.name, "participants": len(matrix.participants),
        "polis_grouped": len(ref), "polis_k": len(set(ref.values())),
        "cluster_all_voters": legacy,
    }
    for key, res in (("ari", result), ("ari_default", default)):
        g = res.groups
        if g is None:
            out[key] = None
            continue
        ours = g.group_of()
        common = [p for p in ours if p in ref]
        out[key] = round(float(adjusted_rand_score([ref[p] for p in common], [ours[p] for p in common])), 3)
        if key == "ari":
            out.update(k=g.k, grouped=len(ours), compared=len(common), sizes=g.sizes())
    out["rep_overlap"] = _rep_overlap(result, matrix, export)
    return out


def _rep_overlap(result: Any, matrix: VoteMatrix, export: PolisExport) -> float | None:
    g = result.groups
    if g is None:
        return None
    ref = export.reference_groups
    idx = [i for i, p in enumerate(g.participants) if p in ref]
    if not idx:
        return None
    ref_ids = sorted({ref[g.participants[i]] for i in idx})
    ref_labels = np.asarray([ref_ids.index(ref[g.participants[i]]) for i in idx], dtype=np.int64)
    rows = g.rows[idx]
    eligible = np.asarray([s not in export.moderated_out for s in matrix.statements])
    ref_reps = representative(group_stats(matrix.values[rows], ref_labels, len(ref_ids)),
                              matrix.statements, eligible)
    ours = g.labels[idx]
    table = np.zeros((g.k, len(ref_ids)))
    for a, b in zip(ours, ref_labels, strict=True):
        table[a, b] += 1
    rows_m, cols_m = linear_sum_assignment(-table)
    shares = []
    for a, b in zip(rows_m, cols_m, strict=True):
        mine = {r.statement for r in result.representative.get(int(a), [])}
        theirs = {r.statement for r in ref_reps.get(int(b), [])}
        if mine:
            shares.append(len(mine & theirs) / len(mine))
    return round(float(np.mean(shares)), 3) if shares else None


def evaluate(root: Path, names: tuple[str, ...] = DEFAULT_EXPORTS, seed: int = 0) -> dict[str, Any]:
    per = [evaluate_export(root / name, seed=seed) for name in names if (root / name).is_dir()]
    aris = [p["ari"] for p in per if p.get("ari") is not None]
    return {
        "task": "consult", "exports": per,
        "min_ari": min(aris) if aris else None,
        "attribution": POLIS_ATTRIBUTION,
    }
