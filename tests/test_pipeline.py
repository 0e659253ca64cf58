"""The component registry: versioned names, order validation, and plugins from entry points."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from massline.core.errors import ComponentError
from massline.core.types import Doc, Result
from massline.pipeline import build_pipeline
from massline.pipeline.registry import ComponentRegistry

PLUGIN = '''
from massline.core.types import Doc, Result
from massline.pipeline import registry


@registry.register("plugin.shout", version="7", stage="analyze", assigns=("shout",))
class Shout:
    """Says how many exclamation marks a message has."""

    name = version = ""

    def __call__(self, doc: Doc) -> Doc:
        doc.add_result(Result(self.name, self.version, "shout", doc.text.count("!")))
        return doc
'''


def test_when_a_package_declares_an_entry_point_then_its_component_runs_in_a_pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "massline_shout.py").write_text(PLUGIN)
    dist = tmp_path / "massline_shout-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: massline-shout\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[massline.components]\nshout = massline_shout\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    # A fresh registry that loads no built-ins; the plugin registers on whatever
    # ``massline.pipeline.registry`` is when it is imported, so point that at ours.
    reg = ComponentRegistry()
    monkeypatch.setattr(sys.modules["massline.pipeline.registry"], "DEFAULT_MODULES", ())
    monkeypatch.setattr(sys.modules["massline.pipeline"], "registry", reg)
    monkeypatch.delitem(sys.modules, "massline_shout", raising=False)
    assert "plugin.shout" in reg.names()
    doc = build_pipeline(["plugin.shout"], reg=reg)(Doc(text="快修路!!"))
    assert doc.result("shout") == Result("plugin.shout", "7", "shout", 2)


def test_when_a_component_is_unknown_then_the_error_lists_the_registered_ones() -> None:
    reg = ComponentRegistry(_loaded=True)
    reg.register("a.one", version="1")(lambda: None)
    with pytest.raises(ComponentError, match=r"unknown component 'b\.two'; registered: a\.one"):
        reg.get("b.two")


def test_when_a_requirement_is_not_assigned_earlier_then_building_fails_before_any_work() -> None:
    reg = ComponentRegistry(_loaded=True)

    class Noop:
        name = version = ""

        def __call__(self, doc: Doc) -> Doc:
            return doc

    reg.register("x.tokens", version="1", assigns=("tokens",))(Noop)
    reg.register("x.needs_tokens", version="1", requires=("tokens",))(Noop)
    build_pipeline(["x.tokens", "x.needs_tokens"], reg=reg)
    with pytest.raises(ComponentError, match="requires \\['tokens'\\]"):
        build_pipeline(["x.needs_tokens", "x.tokens"], reg=reg)


def test_when_a_pipeline_runs_then_each_component_is_timed_and_versions_are_known() -> None:
    reg = ComponentRegistry(_loaded=True)

    class Upper:
        name = version = ""

        def __call__(self, doc: Doc) -> Doc:
            doc.text = doc.text.upper()
            return doc

    reg.register("x.upper", version="3")(Upper)
    pipe = build_pipeline(["x.upper"], reg=reg)
    assert pipe.pipe([Doc(text="abc")])[0].text == "ABC"
    assert pipe.versions() == {"x.upper": "3"}
    assert pipe.timings["x.upper"] >= 0.0
