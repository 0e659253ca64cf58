"""Registers the privacy analysis component ``analyze.pii`` (import side effect, one registration site).

It writes a Result ``pii`` with the types and counts found — never the values, so stored
analysis results are not themselves a leak.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from massline.core.types import Doc, Result
from massline.pipeline.registry import registry
from massline.privacy.api import find_pii


@registry.register("analyze.pii", version="1", stage="analyze", assigns=("pii",))
class PiiComponent:
    """Counts personal data per type in ``doc.text`` (and the title)."""

    name = "analyze.pii"
    version = "1"

    def __init__(self, **config: object) -> None:
        self.config = config

    def __call__(self, doc: Doc) -> Doc:
        findings = find_pii(doc.text) + (find_pii(doc.title) if doc.title else [])
        counts = dict(Counter(f.type for f in findings))
        value = {"types": sorted(counts), "counts": counts, "total": len(findings)}
        confidence = min((f.score for f in findings), default=None)
        doc.add_result(Result(self.name, self.version, "pii", value, confidence,
                              reason=", ".join(f"{k}×{v}" for k, v in sorted(counts.items())) or "no personal data"))
        return doc

    def pipe(self, docs: Iterable[Doc]) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)
