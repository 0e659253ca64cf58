"""The null cleaning component: the interface every cleaner implements, and "skip this step".

Each cleaner subclasses :class:`Cleaner` and overrides :meth:`clean`. The base class gives
them one way to record what they changed (:meth:`flag`, stamped with the component name)
and a batch ``pipe`` so the engine can hand over a whole batch at once.

Offsets: a flag's ``start``/``end`` are offsets into ``Doc.text`` *as this component saw it*
(before its own edits). Components later in the pipeline may shift the text; the flag's
``text`` field always carries the affected characters so a span stays identifiable.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from massline.core.types import Doc, Flag


class Cleaner:
    """Base cleaner: returns the doc unchanged (useful to switch a step off in a config)."""

    name: str = "clean.noop"
    version: str = "1"

    def __call__(self, doc: Doc) -> Doc:
        return self.clean(doc)

    def pipe(self, docs: Iterable[Doc]) -> list[Doc]:
        return [self.clean(doc) for doc in docs]

    def clean(self, doc: Doc) -> Doc:
        return doc

    def flag(self, doc: Doc, kind: str, reason: str, **where: Any) -> Flag:
        """Record a change on the doc, stamped with this component's registered name."""
        return doc.flag(kind, reason, component=self.name, **where)
