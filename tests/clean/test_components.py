"""Registry contract of the cleaning components and the default order."""

from __future__ import annotations

import pytest

from massline.clean.components import CLEAN_PIPELINE
from massline.core.types import Doc
from massline.pipeline import build_pipeline, registry
from massline.pipeline.engine import validate_order


def test_when_registry_loads_then_every_default_cleaner_is_registered_with_a_docstring() -> None:
    for name in CLEAN_PIPELINE:
        info = registry.get(name)
        assert info.stage == "clean" and info.version and info.doc, name
    validate_order(CLEAN_PIPELINE)


@pytest.mark.parametrize("name", CLEAN_PIPELINE)
def test_when_a_cleaner_gets_odd_input_then_it_does_not_fail(name: str) -> None:
    step = build_pipeline([name])
    for text in ["", " ", "\n\n", "?", "()", "(ā)", "\ufffd\ue000", "a" * 5000, "中" * 3 + "\x00\x01" + "(bào)"]:
        doc = step(Doc(text=text, title=text or None))
        assert isinstance(doc.text, str)


def test_when_a_batch_is_cleaned_then_each_component_is_timed() -> None:
    pipeline = build_pipeline(CLEAN_PIPELINE)
    docs = pipeline.pipe([Doc(text="你好，路灯坏了。"), Doc(text="Street light broken on Main St.")])
    assert [d.language for d in docs] == ["zh", "en"]
    assert set(pipeline.timings) == set(CLEAN_PIPELINE)
