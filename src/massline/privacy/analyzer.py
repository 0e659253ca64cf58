"""Runs every recognizer over the views of a text, scores context and resolves overlaps.

The one place that turns recognizer hits into :class:`PIIFinding` objects. Context words
are looked up in a short window before the hit (and a few characters after), in the
lower-cased folded text, like Presidio's LemmaContextAwareEnhancer but without an NLP
pipeline: Chinese context words are matched as substrings.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Sequence

from massline.privacy.base import PIIFinding, Recognizer
from massline.privacy.normalize import views
from massline.privacy.registry import load_recognizers

#: Characters before a hit searched for context words, and after it.
WINDOW_BEFORE = 14
WINDOW_AFTER = 4
#: Negative words (订单号, 金额 …) must sit right next to the hit to count.
NEGATIVE_WINDOW = 6
#: Findings below this score are dropped.
DEFAULT_THRESHOLD = 0.5
NEGATIVE_PENALTY = 0.4
#: Texts whose findings an analyzer remembers (the latest ones). Why: ``massline analyze`` scans a
#: message's body for the ``pii`` result, then masks the same body for its case's public
#: description moments later — the second scan gave the same findings at the same cost.
RECENT_TEXTS = 1024


class Analyzer:
    """A fixed set of recognizer instances (compiled once) and a score threshold."""

    def __init__(self, recognizers: Iterable[Recognizer] | None = None, *, threshold: float = DEFAULT_THRESHOLD,
                 entities: Sequence[str] | None = None) -> None:
        recs = list(recognizers) if recognizers is not None else [cls() for cls in load_recognizers().values()]
        if entities is not None:
            recs = [r for r in recs if r.entity in entities]
        self.recognizers = recs
        self.threshold = threshold
        self._recent: dict[tuple[str, float, int], tuple[PIIFinding, ...]] = {}
        self._lock = threading.Lock()

    def analyze(self, text: str) -> list[PIIFinding]:
        """Findings in ``text``; a text among the latest :data:`RECENT_TEXTS` scanned (with the same
        threshold and recognizers) gets its earlier findings (immutable) without a second scan."""
        if not text:
            return []
        key = (text, self.threshold, len(self.recognizers))
        with self._lock:
            known = self._recent.get(key)
        if known is not None:
            return list(known)
        found = self._scan(text)
        with self._lock:
            if len(self._recent) >= RECENT_TEXTS:
                del self._recent[next(iter(self._recent))]
            self._recent[key] = tuple(found)
        return found

    def _scan(self, text: str) -> list[PIIFinding]:
        scanned = views(text)
        folded = scanned[0].text
        lowered = folded.lower()
        found: list[PIIFinding] = []
        for rec in self.recognizers:
            if rec.needs is not None and rec.needs.search(folded) is None:
                continue
            seen: set[tuple[int, int]] = set()
            for view in scanned:
                if view.name not in rec.views:
                    continue
                for cand in rec.scan(view):
                    start, end = view.to_original(cand.start, cand.end)
                    if (start, end) in seen:
                        continue
                    seen.add((start, end))
                    score, why = _context_score(rec, lowered, start, end, cand.score)
                    if score >= self.threshold:
                        reason = f"{rec.name}/{cand.pattern}: {rec.explanation}{why}"
                        found.append(PIIFinding(start, end, rec.entity, text[start:end], round(score, 3), reason))
        return resolve_overlaps(found)


def _context_score(rec: Recognizer, lowered: str, start: int, end: int, score: float) -> tuple[float, str]:
    if not rec.context and not rec.negative_context and not rec.negative_after:
        return score, ""
    before = lowered[max(0, start - WINDOW_BEFORE) : start]
    after = lowered[end : end + WINDOW_AFTER]
    for word in rec.context:
        if word in before or word in after:
            return min(1.0, score + rec.context_boost), f"; context {word!r} nearby"
    near_before = before[-NEGATIVE_WINDOW:]
    near_after = after[:2]
    for word in rec.negative_context:
        if word in near_before or word in near_after:
            return score - NEGATIVE_PENALTY, f"; lowered by {word!r} nearby"
    for word in rec.negative_after:
        if word in near_after:
            return score - NEGATIVE_PENALTY, f"; lowered by {word!r} after it"
    return score, ""


def resolve_overlaps(findings: list[PIIFinding]) -> list[PIIFinding]:
    """Keep the best of overlapping findings (higher score, then longer), in text order.

    Kept spans are disjoint, so one sorted list of starts and a bisect finds the only two
    neighbours a new span could overlap: O(n log n) even for a text with thousands of hits.
    """
    ranked = sorted(findings, key=lambda f: (-f.score, -(f.end - f.start), f.start))
    starts: list[int] = []
    kept: list[PIIFinding] = []
    for f in ranked:
        i = bisect.bisect_left(starts, f.start)
        if i < len(kept) and kept[i].start < f.end:
            continue
        if i > 0 and kept[i - 1].end > f.start:
            continue
        starts.insert(i, f.start)
        kept.insert(i, f)
    return kept
