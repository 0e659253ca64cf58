"""The seed page (a real defaced 羊城晚报 article saved as text) through the default cleaning pipeline."""

from __future__ import annotations

import re

import pytest

from massline.core.types import Doc
from massline.pipeline import Pipeline

TITLE = "走好网上群众路线 组织群众、宣传群众、引导群众、服务群众"
#: A latin group with a tone mark in parentheses: what an inline pinyin annotation looks like.
PINYIN_GROUP = re.compile(r"[(（][a-zü]*[àáèéìíòóùúāēěīńňōūǎǐǒǔǘǚǜǹ][a-zü\u00e0-\u01dc ]*[)）]")


@pytest.fixture(scope="module")
def cleaned(cleaner: Pipeline, seed_text: str) -> Doc:
    return cleaner(Doc(text=seed_text))


def test_when_seed_is_cleaned_then_title_is_the_article_title_in_simplified(cleaned: Doc) -> None:
    assert cleaned.title == TITLE


def test_when_seed_is_cleaned_then_original_is_the_file_text_exactly(cleaned: Doc, seed_text: str) -> None:
    assert cleaned.original == seed_text


def test_when_seed_is_cleaned_then_body_is_simplified_without_pinyin(cleaned: Doc) -> None:
    body = cleaned.text
    assert body.startswith("习近平总书记指出,要走好网上群众路线")
    assert "善用人才组织群众" in body  # in-article section headings stay
    assert "(作者单位:中山大学马克思主义学院)" in body  # real parentheses stay
    assert not PINYIN_GROUP.search(body)
    assert "網" not in body and "報" not in body
    assert cleaned.meta["script"] == "traditional"
    assert cleaned.language == "zh"


@pytest.mark.parametrize(
    "absent",
    "网上投注 太阳城 媒体中大 新闻投稿 稿件来源 阅读量 审核 原文链接 https:// 【羊城晚报】".split(),
)
def test_when_seed_is_cleaned_then_furniture_is_gone(cleaned: Doc, absent: str) -> None:
    assert absent not in cleaned.text


def test_when_seed_is_cleaned_then_metadata_is_extracted(cleaned: Doc) -> None:
    meta = cleaned.meta
    assert meta["source"] == "羊城晚报"
    assert meta["author"] == "周寒"
    assert meta["editor"] == "王冬梅"
    assert meta["reviewer"] == "孙耀斌"
    assert meta["date"] == "2023-12-23"
    assert meta["source_date"] == "2023-12-22"
    assert meta["edition"] == "第A08版"
    assert meta["canonical_url"] == "https://ep.ycwb.com/epaper/ycwb/html/2023-12/22/content_8_621059.htm"


def test_when_seed_is_cleaned_then_the_spam_line_is_flagged_with_its_text(cleaned: Doc) -> None:
    spam = [f for f in cleaned.flags if f.kind == "spam_line"]
    assert [f.text for f in spam] == ["网上投注足球竞彩网-足球网上投注网-申烨太阳城三期"]
    assert spam[0].component == "clean.spam" and "投注" in spam[0].reason


def test_when_seed_is_cleaned_then_navigation_and_metadata_lines_are_flagged(cleaned: Doc) -> None:
    kinds = {f.kind: f for f in cleaned.flags}
    assert {f.text for f in cleaned.flags if f.kind == "navigation_line"} == {"媒體中大", "新聞投稿"}
    assert kinds["metadata_line"].text is not None and kinds["metadata_line"].text.startswith("稿件來源:羊城晚報")
    assert kinds["title_line"].text is not None and "走好網上群眾路線" in kinds["title_line"].text


def test_when_seed_is_cleaned_then_every_corrupted_span_is_flagged_with_offsets(cleaned: Doc) -> None:
    spans = [f for f in cleaned.flags if f.kind == "corrupted_span"]
    texts = [f.text or "" for f in spans]
    for fragment in ("?chē)", "?cè)", "眻", "浾撽", "?xún)?yōu)"):
        assert any(fragment in t for t in texts), fragment
    assert len(spans) == 5
    for f in spans:
        assert f.start is not None and f.end is not None
        # t2s keeps length, so the offsets point at the same span in the final simplified body
        assert len(cleaned.text[f.start : f.end]) == len(f.text or "")
        assert cleaned.text[f.start] == (f.text or "")[0] == "?"
    assert "周?chē)" in cleaned.text  # flagged, not guessed at


def test_when_seed_is_cleaned_then_pinyin_removals_are_flagged(cleaned: Doc) -> None:
    removed = [f for f in cleaned.flags if f.kind == "pinyin_annotation"]
    assert len(removed) > 300
    assert any(f.text == "(yíng)" and "non-Chinese" in f.reason for f in removed)  # 第A(yíng)08版
