"""Real citizen messages (泰迪杯 2020 附件2) must come through cleaning unharmed.

Speed is measured in ``benchmarks/bench_cleaning.py``, never timed in tests.
"""

from __future__ import annotations

import re

from massline.clean._text import to_simplified
from massline.core.types import Doc
from massline.pipeline import Pipeline

#: Kinds of flags that mean a cleaner removed or rewrote content (not just width/whitespace/script).
REMOVING = {
    "spam_line",
    "navigation_line",
    "metadata_line",
    "title_line",
    "source_link_line",
    "pinyin_annotation",
    "mojibake_repaired",
}


def squash(text: str) -> str:
    """Text with whitespace, OOXML carriage returns and full-width forms folded away."""
    text = re.sub(r"\s+", "", text).replace("_x000D_", "")
    return "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in text)


def test_when_taidi_messages_are_cleaned_then_only_script_and_spacing_change(
    cleaner: Pipeline, taidi_messages: list[tuple[str, str]]
) -> None:
    docs = cleaner.pipe([Doc(text=body, title=title) for title, body in taidi_messages])
    for doc, (title, body) in zip(docs, taidi_messages, strict=True):
        assert doc.original == body
        assert squash(doc.text) == squash(to_simplified(body)), body[:80]
        assert doc.title is not None and squash(doc.title) == squash(to_simplified(title))
        assert not {f.kind for f in doc.flags} & REMOVING, [f.to_dict() for f in doc.flags]
        assert "layout" not in doc.meta
        assert doc.language == "zh"
        assert doc.meta["script"] == "simplified"

