"""``clean.pinyin``: annotations go only when they are a real reading."""

from __future__ import annotations

import pytest

from massline.core.types import Doc
from massline.pipeline import build_pipeline

STEP = build_pipeline(["clean.pinyin"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("羊城晚報(bào)", "羊城晚報"),  # traditional character, reading from pypinyin
        ("网(wǎng)上群众", "网上群众"),  # simplified
        ("行(háng)业", "行业"),  # heteronym
        ("線(xiàn)上", "線上"),
        ("中国(zhōng guó)人", "中国人"),  # two syllables for two characters
        ("报（bào）纸", "报纸"),  # full-width parentheses
        ("第A(yíng)08版", "第A08版"),  # stray annotation after a non-Chinese character
        ("習近平總書(shū)記", "習近平總書記"),
    ],
)
def test_when_annotation_is_a_reading_then_it_is_removed(text: str, expected: str) -> None:
    doc = STEP(Doc(text=text))
    assert doc.text == expected
    assert [f.kind for f in doc.flags] == ["pinyin_annotation"] * len([f for f in doc.flags])
    assert doc.flags and all(f.component == "clean.pinyin" and f.start is not None for f in doc.flags)


@pytest.mark.parametrize(
    "text",
    [
        "(作者单位:中山大学马克思主义学院)",
        "第一条(1)应当遵守",
        "请看说明(see below)",
        "报(mǎ)纸",  # a syllable, but not a reading of 报
        "藏(zang)族",  # no tone mark: a writer's note, kept
        "规格(5ml)注射液",
        "Beijing (běi)",  # after a space, not glued to a character
        "(bào)开头",  # nothing before it
        "好(hǎo hǎo hǎo)",  # more syllables than characters before it
        "特别是辅道(特别是)",
    ],
)
def test_when_parentheses_are_not_a_reading_then_they_stay(text: str) -> None:
    doc = STEP(Doc(text=text))
    assert doc.text == text
    assert doc.flags == []


def test_when_title_has_annotations_then_they_are_removed_and_flagged_on_title() -> None:
    doc = STEP(Doc(text="正文", title="羊城晚報(bào)"))
    assert doc.title == "羊城晚報"
    assert doc.flags[0].on == "title"
