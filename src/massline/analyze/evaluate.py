"""Evaluating the rule-based request type on the hand-checked sample.

The sample (``tests/analyze/data/request_type_sample.jsonl``) is 120 messages drawn at random
(seed 12345) from ``fj2_dev.csv`` and labelled by reading each one; rows carry ``split``:
"tune" (the half looked at while writing the cue rules) and "holdout" (never looked at while
tuning), so the holdout figure is the honest one.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from massline.analyze.request_type import LABELS, classify_request_type
from massline.core.errors import InputError

#: The sample in a source checkout (the package is installed editable from the repository).
DEFAULT_SAMPLE = Path(__file__).resolve().parents[3] / "tests" / "analyze" / "data" / "request_type_sample.jsonl"


def read_sample(path: Path) -> list[dict[str, Any]]:
    """Rows with ``title``, ``body``, ``label`` (one of LABELS) and optional ``split``."""
    if not path.exists():
        raise InputError("file not found", origin=str(path))
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON: {exc.msg}", origin=str(path), locator=f"line {n}") from exc
        if row.get("label") not in LABELS:
            raise InputError(f"label must be one of {', '.join(LABELS)}", origin=str(path), locator=f"line {n}",
                             field="label")
        if not (row.get("body") or row.get("title")):
            raise InputError("needs a title or a body", origin=str(path), locator=f"line {n}", field="body")
        rows.append(row)
    if not rows:
        raise InputError("no rows", origin=str(path))
    return rows


def scores(gold: list[str], pred: list[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 (over labels that occur in gold or predictions) and per-class P/R/F1."""
    labels = [label for label in LABELS if label in set(gold) | set(pred)]
    per_class: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label and g != label for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": precision, "recall": recall, "f1": f1, "support": gold.count(label)}
    n = len(gold)
    accuracy = sum(g == p for g, p in zip(gold, pred, strict=True)) / n if n else 0.0
    macro = sum(c["f1"] for c in per_class.values()) / len(per_class) if per_class else 0.0
    return {"accuracy": accuracy, "macro_f1": macro, "n": n, "per_class": per_class}


def evaluate_request_type(path: Path = DEFAULT_SAMPLE) -> dict[str, Any]:
    """Scores on the whole sample, plus on its holdout half when the rows carry ``split``."""
    rows = read_sample(path)
    gold = [r["label"] for r in rows]
    pred = [str(classify_request_type(r.get("title"), r.get("body") or "").value) for r in rows]
    out = scores(gold, pred)
    out["confusion"] = {f"{g}→{p}": c for (g, p), c in sorted(Counter(zip(gold, pred, strict=True)).items())}
    hold = [i for i, r in enumerate(rows) if r.get("split") == "holdout"]
    if hold:
        held = scores([gold[i] for i in hold], [pred[i] for i in hold])
        out["holdout"] = {"accuracy": held["accuracy"], "macro_f1": held["macro_f1"], "n": held["n"]}
    return out
