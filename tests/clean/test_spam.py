"""``clean.spam``: injected gambling/porn/SEO lines go; reports about them stay."""

from __future__ import annotations

import pytest

from massline.core.types import Doc
from massline.pipeline import build_pipeline

STEP = build_pipeline(["clean.spam"])
BODY = "市民反映路灯不亮，请有关部门尽快处理。"


@pytest.mark.parametrize(
    "line",
    [
        "网上投注足球竞彩网-足球网上投注网-申烨太阳城三期",  # seed page
        "網上投注足球競彩網-足球網上投注網",  # traditional
        "澳门新葡京娱乐场 百家乐 真人视讯",
        "皇冠体育投注-皇冠体育-皇冠体育官网",
        "bet365 casino 注册送彩金",
        "澳门威尼斯人，注册送88元彩金，百家乐、老虎机天天返水！",  # prose-shaped ad: many strong terms
    ],
)
def test_when_a_spam_line_is_injected_then_it_is_removed_and_flagged(line: str) -> None:
    doc = STEP(Doc(text=f"{line}\n\n{BODY}"))
    assert doc.text == BODY
    flags = [f for f in doc.flags if f.kind == "spam_line"]
    assert [f.text for f in flags] == [line] and flags[0].start == 0 and flags[0].reason


@pytest.mark.parametrize(
    "text",
    [
        "我要举报太阳城小区附近有人开设赌场，希望公安查处。",
        "A3区东方红路嘉顺苑优莱克超市后面有老虎机",
        "A7县色情行业泛滥，酒店到处都是色情卡片",
        "A3区白鹤小区麦潮量贩娱乐城把住户都要吵晕了",
        "(十二)参与或者支持色情、吸毒、赌博、迷信等活动;",
        "孩子沉迷足球彩票怎么办\n家长很着急",
        "太阳城小区停水三天了\n什么时候恢复供水？",
    ],
)
def test_when_a_message_talks_about_gambling_then_nothing_is_removed(text: str) -> None:
    doc = STEP(Doc(text=text))
    assert doc.text == text
    assert not [f for f in doc.flags if f.kind == "spam_line"]


def test_when_the_whole_message_is_spam_then_it_is_flagged_but_kept() -> None:
    line = "网上投注足球竞彩网-足球网上投注网"
    doc = STEP(Doc(text=line))
    assert doc.text == line
    assert [f.kind for f in doc.flags] == ["spam_suspect"]
