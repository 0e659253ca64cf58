"""Span-level evaluation of the recognizers against labelled JSONL.

Matching rule (what "a predicted span counts if it overlaps a gold span by ≥ 50 %" means
here): a prediction matches a gold span of the SAME type when their overlap covers at
least half of the gold span AND at least half of the predicted span
(``overlap / len(gold) ≥ 0.5`` and ``overlap / len(pred) ≥ 0.5``). Each gold span is
matched at most once. Precision = matched predictions / predictions; recall = matched
gold spans / gold spans; per type, precision is counted over predictions of that type and
recall over gold spans of that type.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from massline.core.errors import InputError
from massline.privacy.base import ENTITY_TYPES, PIIFinding

SpanT = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    text: str
    spans: tuple[SpanT, ...]


@dataclass
class Scores:
    tp_pred: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    tp_gold: Counter[str] = field(default_factory=Counter)
    gold: Counter[str] = field(default_factory=Counter)
    n: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def _prf(tp_p: int, pred: int, tp_g: int, gold: int) -> dict[str, float]:
        p = tp_p / pred if pred else 1.0
        r = tp_g / gold if gold else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}

    def overall(self) -> dict[str, Any]:
        out: dict[str, Any] = self._prf(sum(self.tp_pred.values()), sum(self.predicted.values()),
                                        sum(self.tp_gold.values()), sum(self.gold.values()))
        out.update(n=self.n, gold_spans=sum(self.gold.values()), predicted_spans=sum(self.predicted.values()))
        return out

    def per_type(self) -> dict[str, dict[str, float]]:
        types = [t for t in ENTITY_TYPES if self.gold[t] or self.predicted[t]]
        return {t: {**self._prf(self.tp_pred[t], self.predicted[t], self.tp_gold[t], self.gold[t]),
                    "gold": self.gold[t], "predicted": self.predicted[t]} for t in types}


def load_records(path: Path) -> list[Record]:
    """Read and check a JSONL evaluation file (clear error naming line and field)."""
    records: list[Record] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"line {lineno}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"not JSON: {exc.msg}", origin=str(path), locator=where) from exc
            text = obj.get("text")
            if not isinstance(text, str):
                raise InputError("missing or not a string", origin=str(path), locator=where, field="text")
            spans: list[SpanT] = []
            for s in obj.get("spans", []):
                if (not isinstance(s, list | tuple) or len(s) != 3 or not all(isinstance(x, int) for x in s[:2])
                        or not 0 <= s[0] < s[1] <= len(text) or s[2] not in ENTITY_TYPES):
                    raise InputError(f"bad span {s!r}: need [start, end, TYPE] inside the text, TYPE one of "
                                     f"{', '.join(ENTITY_TYPES)}", origin=str(path), locator=where, field="spans")
                spans.append((s[0], s[1], s[2]))
            records.append(Record(str(obj.get("id", lineno)), text, tuple(spans)))
    return records


def _matches(pred: SpanT, gold: SpanT) -> bool:
    overlap = min(pred[1], gold[1]) - max(pred[0], gold[0])
    return (pred[2] == gold[2] and overlap > 0 and overlap * 2 >= gold[1] - gold[0]
            and overlap * 2 >= pred[1] - pred[0])


def score_record(scores: Scores, record: Record, predicted: Sequence[SpanT]) -> None:
    scores.n += 1
    used: set[int] = set()
    for g in record.spans:
        scores.gold[g[2]] += 1
    for p in predicted:
        scores.predicted[p[2]] += 1
        hit = next((i for i, g in enumerate(record.spans) if i not in used and _matches(p, g)), None)
        if hit is None:
            scores.errors.append({"id": record.id, "kind": "false_positive", "type": p[2],
                                  "text": record.text[p[0]:p[1]]})
            continue
        used.add(hit)
        scores.tp_pred[p[2]] += 1
        scores.tp_gold[p[2]] += 1
    for i, g in enumerate(record.spans):
        if i not in used:
            scores.errors.append({"id": record.id, "kind": "missed", "type": g[2], "text": record.text[g[0]:g[1]]})


def evaluate(records: Iterable[Record], find: Callable[[str], list[PIIFinding]]) -> Scores:
    scores = Scores()
    for rec in records:
        score_record(scores, rec, [(f.start, f.end, f.type) for f in find(rec.text)])
    return scores
