"""What a recognizer is, in the spirit of Presidio: an entity type, patterns with a base
score, an optional validator, context words that raise (or lower) the score, and a
sentence explaining the decision. Recognizers are compiled once, at construction, so
scanning a message is a handful of precompiled regex passes — no per-call setup.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from massline.privacy.normalize import View

_SEPARATORS = re.compile(r"[\s\-()]")

#: Entity types (the names used by evaluation data, Result values and masking tags).
ENTITY_TYPES: tuple[str, ...] = (
    "ID_CARD", "PHONE", "BANK_CARD", "EMAIL", "LICENSE_PLATE",
    "PASSPORT", "PERMIT", "PERSON", "ADDRESS", "SOCIAL_ID",
)


@dataclass(frozen=True, slots=True)
class PIIFinding:
    """One piece of personal data: character offsets into the ORIGINAL text, type, how sure, why."""

    start: int
    end: int
    type: str
    text: str
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class Pattern:
    """A regex with a base score; ``group`` names the part of the match that is the personal data."""

    name: str
    regex: str
    score: float
    group: int | str = 0


@dataclass(frozen=True, slots=True)
class Candidate:
    """A pattern hit in one view, before context scoring (offsets in the view)."""

    start: int
    end: int
    score: float
    pattern: str


class Recognizer:
    """Base class. Subclasses set the class attributes and may override :meth:`validate`.

    ``validate`` gets the matched value with separators removed and returns the score to
    use, or ``None`` to reject (checksum failed, impossible date, …).
    """

    entity: ClassVar[str] = ""
    name: ClassVar[str] = ""
    patterns: ClassVar[tuple[Pattern, ...]] = ()
    #: Words that, found shortly before (or right after) a hit, raise its score by ``context_boost``.
    context: ClassVar[tuple[str, ...]] = ()
    #: Words that, without a positive context word, lower the score (订单号, 编号 …).
    negative_context: ClassVar[tuple[str, ...]] = ()
    #: Negative words that count only right AFTER the hit (元, 块: an amount, not a number to call).
    negative_after: ClassVar[tuple[str, ...]] = ()
    context_boost: ClassVar[float] = 0.35
    explanation: ClassVar[str] = ""
    #: Views to scan: "folded" (width-folded, same offsets) and/or "compact" (digit separators removed).
    views: ClassVar[tuple[str, ...]] = ("folded",)
    #: Skip this recognizer quickly when the text lacks any of these characters (None: always run).
    needs: ClassVar[re.Pattern[str] | None] = None

    def __init__(self) -> None:
        # ASCII: digits mean 0-9 only (full-width digits are folded first; other scripts are not numbers here).
        self._compiled = [(p, re.compile(p.regex, re.ASCII)) for p in self.patterns]

    def validate(self, value: str, pattern: Pattern) -> float | None:
        return pattern.score

    def locate(self, match: re.Match[str], pattern: Pattern) -> tuple[int, int] | None:
        """Span of the personal data inside ``match`` (override to trim, e.g. a name's trailing verb)."""
        start, end = match.span(pattern.group)
        return (start, end) if 0 <= start < end else None

    def scan(self, view: View) -> Iterator[Candidate]:
        for pattern, rx in self._compiled:
            for m in rx.finditer(view.text):
                span = self.locate(m, pattern)
                if span is None:
                    continue
                start, end = span
                value = _SEPARATORS.sub("", view.text[start:end])
                score = self.validate(value, pattern)
                if score is not None:
                    yield Candidate(start, end, score, pattern.name)
