"""The one record type that flows through the pipeline, and the plain result records it carries.

A :class:`Doc` is what spaCy's ``Doc`` is to spaCy: every component reads and writes the
same object, so expensive work (HTML extraction, segmentation) happens once and is shared.
Components never talk to the database; the store layer turns ``Doc`` flags and results
into rows. That keeps analysis and storage apart, joined only by these plain records.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class Flag:
    """Something a component noticed or changed in the text, with where and why.

    ``start``/``end`` are character offsets into the text the component saw (``Doc.text``
    at that moment) unless ``on`` says otherwise ("original" or "title").
    """

    kind: str
    reason: str
    component: str = ""
    start: int | None = None
    end: int | None = None
    text: str | None = None
    on: str = "text"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(slots=True)
class Result:
    """One automatic decision: which component (and version) said what, how sure, and why."""

    component: str
    version: str
    key: str
    value: Any
    confidence: float | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Span:
    """A labelled stretch of text (a place, a piece of personal data, a corrupted run)."""

    start: int
    end: int
    label: str
    text: str = ""
    score: float = 1.0
    reason: str = ""


@dataclass
class Doc:
    """One message on its way through clean → analyze.

    ``original`` is the verbatim decoded input and never changes. ``text`` is the working
    body that cleaning components rewrite (ending in simplified Chinese). ``meta`` holds
    what extraction found (date, author, source, canonical_url, …) and intake extras.
    """

    text: str
    original: str = ""
    title: str | None = None
    content_type: str = "text/plain"
    language: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    tokens: list[str] | None = None
    message_id: int | None = None
    external_id: str | None = None

    def __post_init__(self) -> None:
        if not self.original:
            self.original = self.text

    def flag(self, kind: str, reason: str, component: str = "", **where: Any) -> Flag:
        f = Flag(kind=kind, reason=reason, component=component, **where)
        self.flags.append(f)
        return f

    def add_result(self, result: Result) -> Result:
        self.results.append(result)
        return result

    def result(self, key: str) -> Result | None:
        """The latest result stored under ``key`` (e.g. "category"), if any."""
        for r in reversed(self.results):
            if r.key == key:
                return r
        return None
