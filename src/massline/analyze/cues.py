"""Cue-word scoring shared by the rule-based components (request type, urgency, sentiment).

Why rules and not a model here: there is no labelled Chinese data for these questions in
our domain, and a dispatcher must be able to see *why* a message was called urgent. Each
rule is a regular expression with a weight for one label; the title counts more than the
body (citizens put their intent there: "咨询…", "投诉…", "建议…"). The reason string lists
every cue that fired, so a wrong decision is easy to trace to the rule that caused it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Cue:
    """One rule: a pattern that adds ``weight`` to ``label`` each time it matches (up to ``cap`` times)."""

    label: str
    pattern: str
    weight: float = 1.0
    cap: int = 1
    name: str = ""

    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern)


@dataclass
class Hit:
    label: str
    cue: str
    count: int
    weight: float
    where: str  # "title" | "text"


@dataclass
class CueScores:
    """Per-label scores plus the hits that made them, in firing order."""

    scores: dict[str, float] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)

    def best(self, default: str) -> tuple[str, float]:
        """The top label and its softmax share over every label of the cue set (absent labels score 0).

        Why softmax over all labels: one weak cue among six labels should read as "unsure"
        (about 0.3), a strong title cue as "sure" (above 0.9); ties go to ``default``.
        """
        if not self.scores or max(self.scores.values()) <= 0:
            return default, 1.0 / max(len(self.scores), 1)
        top_score = max(self.scores.values())
        label = default if self.scores.get(default) == top_score else max(self.scores, key=self.scores.__getitem__)
        total = sum(math.exp(v) for v in self.scores.values())
        return label, math.exp(self.scores[label]) / total

    def reason(self, label: str | None = None, limit: int = 8) -> str:
        """``'举报'×2 (title), '违法'`` — the cues behind ``label`` (all labels when None)."""
        parts = []
        for h in self.hits:
            if label is not None and h.label != label:
                continue
            text = f"'{h.cue}'" + (f"×{h.count}" if h.count > 1 else "") + (" (title)" if h.where == "title" else "")
            parts.append(text)
        return ", ".join(parts[:limit])

    def words(self, label: str) -> list[str]:
        return [h.cue for h in self.hits if h.label == label]


class CueSet:
    """A compiled list of cues. ``score(title, text)`` returns per-label scores with their hits."""

    def __init__(self, cues: Iterable[Cue], title_weight: float = 2.0) -> None:
        self.cues = [(c, c.compiled()) for c in cues]
        self.title_weight = title_weight
        # The word a cue made by :func:`cues` matches (its pattern is that word, escaped), else None:
        # a word absent from the text cannot match, and ``in`` says so far sooner than ``findall``
        # (most of the ~150 words of a set are absent from a given message).
        self._literals = [_literal(c.pattern) for c, _ in self.cues]

    @property
    def labels(self) -> list[str]:
        return sorted({c.label for c, _ in self.cues})

    @cached_property
    def _zero(self) -> dict[str, float]:
        """Every label at 0 (what each score starts from; the labels were re-sorted for every message)."""
        return {label: 0.0 for label in self.labels}

    def score(self, title: str | None, text: str, extra: Mapping[str, float] | None = None) -> CueScores:
        out = CueScores(scores=dict(self._zero))
        for label, value in (extra or {}).items():
            out.scores[label] = out.scores.get(label, 0.0) + value
        for where, chunk, factor in (("title", title or "", self.title_weight), ("text", text or "", 1.0)):
            if not chunk:
                continue
            for (cue, rx), literal in zip(self.cues, self._literals, strict=True):
                if literal is not None and literal not in chunk:
                    continue
                found = rx.findall(chunk)
                if not found:
                    continue
                count = min(len(found), cue.cap)
                weight = cue.weight * count * factor
                out.scores[cue.label] = out.scores.get(cue.label, 0.0) + weight
                label_text = cue.name or (found[0] if isinstance(found[0], str) else "".join(found[0]))
                out.hits.append(Hit(cue.label, label_text, len(found), weight, where))
        return out


def _literal(pattern: str) -> str | None:
    """The plain text ``pattern`` matches when it is one (``re.escape`` of it), else None."""
    text = re.sub(r"\\(.)", r"\1", pattern, flags=re.DOTALL)
    return text if text and re.escape(text) == pattern else None


def cues(label: str, words: str, weight: float = 1.0, cap: int = 1) -> list[Cue]:
    """Shorthand: one cue per ``|``-separated word in ``words``."""
    return [Cue(label, re.escape(w), weight, cap) for w in words.split("|") if w]
