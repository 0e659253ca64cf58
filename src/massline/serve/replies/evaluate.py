"""How well the reply checks agree with people's judgement of completeness and interpretability.

Data: 附件4 replies, 100 of them labelled 0/1 by one person (Rollbear-bot's
``sheet_4_labeled.xlsx``, shipped as ``fj4_with_manual_quality_labels_rollbear.csv``), and our
own labels written by the rubric in ``evaluation/replies/RUBRIC.md``. Both are small and noisy:
the figures say whether the checks point the right way, not how precise they are.

Thresholds are chosen by cross-validation (5 folds: the accuracy-maximising cut on four folds is
applied to the fifth), beside a reply-length-only baseline scored the same way.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import cohen_kappa_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from massline.ingest.dates import parse_datetime
from massline.serve.replies.quality import completeness_score, interpretability_score

LABELS = {"completeness": "完整性指标", "interpretability": "可解释性指标"}


@dataclass(slots=True)
class Row:
    external_id: str
    message: str
    reply: str
    labels: dict[str, int]


def _label(value: str | None) -> int | None:
    text = (value or "").strip()
    if text in ("", "nan", "NaN"):
        return None
    return int(float(text))


def read_labelled(path: Path, columns: dict[str, str] = LABELS) -> list[Row]:
    """Rows with every label present (id column 留言编号, text columns 留言详情 and 答复意见)."""
    out = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            labels = {name: _label(row.get(col)) for name, col in columns.items()}
            if any(v is None for v in labels.values()):
                continue
            out.append(Row(row["留言编号"].strip(), row.get("留言详情", ""), row.get("答复意见", ""),
                           {k: int(v) for k, v in labels.items() if v is not None}))
    return out


def scores(reply: str) -> dict[str, float]:
    """Continuous versions of the two checks (counts of cues), so AUC can rank them."""
    return {"completeness": completeness_score(reply)[0], "interpretability": interpretability_score(reply)[0]}


def cv_accuracy(x: np.ndarray, y: np.ndarray, folds: int = 5, seed: int = 0) -> float:
    """Accuracy of a one-feature threshold rule whose cut is chosen on the training folds only."""
    if len(set(y.tolist())) < 2:
        return float(np.mean(y == y[0]))
    k = min(folds, int(np.bincount(y).min()))
    if k < 2:
        return float("nan")
    right = 0
    for train, test in StratifiedKFold(k, shuffle=True, random_state=seed).split(x.reshape(-1, 1), y):
        cuts = np.unique(x[train])
        accs = [np.mean((x[train] >= c) == y[train]) for c in cuts]
        cut = cuts[int(np.argmax(accs))]
        right += int(np.sum((x[test] >= cut) == y[test]))
    return right / len(y)


def _auc(y: np.ndarray, x: np.ndarray) -> float | None:
    return round(float(roc_auc_score(y, x)), 3) if len(set(y.tolist())) == 2 else None


def evaluate_rows(rows: Sequence[Row]) -> dict[str, Any]:
    """AUC and cross-validated accuracy per label, checks vs reply length; majority-class rate for scale."""
    out: dict[str, Any] = {"n": len(rows)}
    length = np.array([len("".join(r.reply.split())) for r in rows], dtype=float)
    feats = [scores(r.reply) for r in rows]
    for name in LABELS:
        y = np.array([r.labels[name] for r in rows])
        x = np.array([f[name] for f in feats])
        out[name] = {
            "positive_rate": round(float(y.mean()), 3),
            "auc": _auc(y, x), "cv_accuracy": round(cv_accuracy(x, y), 3),
            "baseline_length_auc": _auc(y, length), "baseline_length_cv_accuracy": round(cv_accuracy(length, y), 3),
            "majority_accuracy": round(float(max(y.mean(), 1 - y.mean())), 3),
        }
    return out


def agreement(a: Sequence[Row], b: Sequence[Row]) -> dict[str, Any]:
    """Cohen's kappa and raw agreement per label on the replies both labellings judged."""
    theirs = {r.external_id: r for r in b}
    both = [(r, theirs[r.external_id]) for r in a if r.external_id in theirs]
    out: dict[str, Any] = {"n": len(both)}
    for name in LABELS:
        x = [r.labels[name] for r, _ in both]
        y = [s.labels[name] for _, s in both]
        out[name] = {"kappa": round(float(cohen_kappa_score(x, y)), 3) if both else None,
                     "agreement": round(float(np.mean(np.array(x) == np.array(y))), 3) if both else None}
    return out


def timeliness_days(rows_path: Path) -> list[int]:
    """Working days from message to reply over a 附件4 file (for the report's timeliness figure)."""
    from massline.serve.forecast.calendar import is_workday
    from massline.serve.replies.quality import working_days

    days = []
    with open(rows_path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                asked, answered = parse_datetime(row.get("留言时间")), parse_datetime(row.get("答复时间"))
            except ValueError:
                continue
            if asked and answered and answered >= asked:
                days.append(working_days(asked.date(), answered.date(), is_workday))
    return days
