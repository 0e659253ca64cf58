"""Evaluating the rule-based components (request type, urgency, sentiment) on the hand-checked sample.

The sample (``tests/analyze/data/request_type_sample.jsonl``) is 120 messages drawn at random
(seed 12345) from ``fj2_dev.csv`` and labelled by reading each one (``label`` = request type,
plus ``urgency`` and ``sentiment``); rows carry ``split``: "tune" (the half looked at while
writing the request-type cue rules) and "holdout" (never looked at while tuning), so the
holdout figure is the honest one. Urgency and sentiment labels were added after their rules
were written and were not used to tune them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from massline.analyze.request_type import LABELS, classify_request_type
from massline.analyze.sentiment import classify_sentiment
from massline.analyze.urgency import classify_urgency
from massline.core.errors import InputError

Predict = Callable[[str | None, str], str]

#: task → (field in the sample, labels, prediction from title and body)
TASKS: dict[str, tuple[str, tuple[str, ...], Predict]] = {
    "request_type": ("label", LABELS, lambda t, b: str(classify_request_type(t, b).value)),
    "urgency": ("urgency", ("high", "normal", "low"), lambda t, b: str(classify_urgency(t, b).value)),
    "sentiment": ("sentiment", ("negative", "neutral", "positive"),
                  lambda t, b: str(classify_sentiment(t, b)[0].value)),
}

#: The sample in a source checkout (the package is installed editable from the repository).
DEFAULT_SAMPLE = Path(__file__).resolve().parents[3] / "tests" / "analyze" / "data" / "request_type_sample.jsonl"


def read_sample(path: Path, field: str = "label", labels: tuple[str, ...] = LABELS) -> list[dict[str, Any]]:
    """Rows with ``title``, ``body``, ``field`` (one of ``labels``) and optional ``split``."""
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
        if row.get(field) not in labels:
            raise InputError(f"{field} must be one of {', '.join(labels)}", origin=str(path), locator=f"line {n}",
                             field=field)
        if not (row.get("body") or row.get("title")):
            raise InputError("needs a title or a body", origin=str(path), locator=f"line {n}", field="body")
        rows.append(row)
    if not rows:
        raise InputError("no rows", origin=str(path))
    return rows


def scores(gold: list[str], pred: list[str], all_labels: tuple[str, ...] = LABELS) -> dict[str, Any]:
    """Accuracy, macro-F1 (over labels that occur in gold or predictions) and per-class P/R/F1."""
    labels = [label for label in all_labels if label in set(gold) | set(pred)]
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


def evaluate_task(task: str, path: Path = DEFAULT_SAMPLE) -> dict[str, Any]:
    """Scores of one rule component on the sample, plus on its holdout half when rows carry ``split``."""
    if task not in TASKS:
        raise InputError(f"unknown task {task!r}; known: {', '.join(TASKS)}", field="task")
    field, labels, predict = TASKS[task]
    rows = read_sample(path, field, labels)
    gold = [r[field] for r in rows]
    pred = [predict(r.get("title"), r.get("body") or "") for r in rows]
    out = scores(gold, pred, labels)
    out["confusion"] = {f"{g}→{p}": c for (g, p), c in sorted(Counter(zip(gold, pred, strict=True)).items())}
    hold = [i for i, r in enumerate(rows) if r.get("split") == "holdout"]
    if hold:
        held = scores([gold[i] for i in hold], [pred[i] for i in hold], labels)
        out["holdout"] = {"accuracy": held["accuracy"], "macro_f1": held["macro_f1"], "n": held["n"]}
    return out


def evaluate_request_type(path: Path = DEFAULT_SAMPLE) -> dict[str, Any]:
    return evaluate_task("request_type", path)
