"""Evaluation of a :class:`CategoryModel` on labelled examples: per-class figures, confusion
matrix, and the routing figures (coverage and accuracy at the confidence threshold)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from massline.analyze.classify.data import Example
from massline.analyze.classify.model import CategoryModel
from massline.analyze.classify.nbsvm import class_order


@dataclass(frozen=True)
class ClassFigures:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    """Everything ``massline eval classify`` prints; :meth:`summary` is its last (JSON) line."""

    n: int
    macro_f1: float
    accuracy: float
    threshold: float
    coverage_at_threshold: float
    accuracy_at_threshold: float
    per_class: list[ClassFigures]
    labels: list[str]
    confusion: list[list[int]]  # rows: true label, columns: predicted, in ``labels`` order
    model_version: str

    def summary(self) -> dict[str, float | int]:
        return {"macro_f1": round(self.macro_f1, 4), "accuracy": round(self.accuracy, 4), "n": self.n,
                "coverage_at_threshold": round(self.coverage_at_threshold, 4),
                "accuracy_at_threshold": round(self.accuracy_at_threshold, 4)}


def evaluate(model: CategoryModel, examples: Sequence[Example], threshold: float) -> Evaluation:
    """Score ``model`` on ``examples``; a message is routed automatically when its top probability
    is at least ``threshold`` (``coverage``), and ``accuracy_at_threshold`` is measured among those."""
    if not examples:
        raise ValueError("no labelled examples to evaluate")
    truth = [e.label for e in examples]
    predictions = model.predict([e.text for e in examples])
    predicted = [label for label, _ in predictions]
    confidence = np.array([p for _, p in predictions])
    correct = np.array([t == p for t, p in zip(truth, predicted, strict=True)])
    labels = class_order([*truth, *predicted, *model.classes], model.classes)
    scored = [c for c in labels if c in set(truth) | set(predicted)]
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=scored,
                                                                     zero_division=0)
    per_class = [ClassFigures(c, float(p), float(r), float(f), int(s))
                 for c, p, r, f, s in zip(scored, precision, recall, f1, support, strict=True)]
    routed = confidence >= threshold
    return Evaluation(
        n=len(examples),
        macro_f1=float(np.mean(f1)),
        accuracy=float(correct.mean()),
        threshold=threshold,
        coverage_at_threshold=float(routed.mean()),
        accuracy_at_threshold=float(correct[routed].mean()) if routed.any() else 1.0,
        per_class=per_class,
        labels=scored,
        confusion=confusion_matrix(truth, predicted, labels=scored).tolist(),
        model_version=model.version,
    )
