"""Runs components in order over batches of docs, timing each one.

Order is validated up front: a component that ``requires`` a field no earlier component
``assigns`` (and that intake does not provide) is a configuration error, reported before
any work is done rather than as a crash halfway through a batch.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from massline.core.errors import ComponentError
from massline.core.types import Doc
from massline.pipeline.registry import Component, ComponentRegistry, registry

#: Fields every Doc has when it leaves intake.
PROVIDED_BY_INTAKE = frozenset({"text", "original", "title", "content_type", "meta"})


@dataclass
class Pipeline:
    components: list[Component]
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.components]

    def versions(self) -> dict[str, str]:
        return {c.name: c.version for c in self.components}

    def __call__(self, doc: Doc) -> Doc:
        return self.pipe([doc])[0]

    def pipe(self, docs: Sequence[Doc]) -> list[Doc]:
        """Run every component over the batch; components with ``pipe`` get the batch at once."""
        batch = list(docs)
        for component in self.components:
            started = time.perf_counter()
            pipe = getattr(component, "pipe", None)
            if callable(pipe):
                batch = list(pipe(batch))
            else:
                batch = [component(doc) for doc in batch]
            self.timings[component.name] += time.perf_counter() - started
        return batch


def validate_order(names: Sequence[str], reg: ComponentRegistry = registry) -> None:
    available = set(PROVIDED_BY_INTAKE)
    for name in names:
        info = reg.get(name)
        missing = [r for r in info.requires if r not in available]
        if missing:
            raise ComponentError(
                f"component {name!r} requires {missing} but no earlier component assigns them "
                f"(pipeline: {list(names)})"
            )
        available.update(info.assigns)


def build_pipeline(
    names: Iterable[str],
    configs: Mapping[str, Mapping[str, Any]] | None = None,
    reg: ComponentRegistry = registry,
) -> Pipeline:
    """Build a pipeline from registered names; ``configs[name]`` is passed to that factory."""
    names = list(names)
    validate_order(names, reg)
    configs = configs or {}
    return Pipeline([reg.create(n, **dict(configs.get(n, {}))) for n in names])
