"""``clean.page_text``: pages saved as text are taken apart; ordinary messages are left alone."""

from __future__ import annotations

import pytest

from massline.clean.page_text import iso_date, parse_metadata_line
from massline.core.types import Doc
from massline.pipeline import build_pipeline

STEP = build_pipeline(["clean.page_text"])
PAGE = """首页

新闻中心 > 本地新闻

【南方日报】市民热线一年办结百万件

来源:南方日报 作者:李明 责任编辑:张三 发布时间:2024年3月5日 10:20 浏览次数:1,024

12345热线去年受理市民诉求一百多万件，办结率超过百分之九十九。

热线服务

热线工作人员表示，将继续提升服务质量，做到事事有回应。

原文地址:https://example.gov.cn/news/1.html

返回顶部
联系我们"""


def test_when_text_is_a_page_then_title_meta_and_navigation_are_separated() -> None:
    doc = STEP(Doc(text=PAGE))
    assert doc.title == "市民热线一年办结百万件"
    assert doc.meta["title_prefix"] == "南方日报" and doc.meta["source"] == "南方日报"
    assert doc.meta["author"] == "李明" and doc.meta["editor"] == "张三"
    assert doc.meta["date"] == "2024-03-05T10:20:00" and doc.meta["views"] == 1024
    assert doc.meta["canonical_url"] == "https://example.gov.cn/news/1.html"
    assert doc.text == (
        "12345热线去年受理市民诉求一百多万件，办结率超过百分之九十九。\n\n热线服务\n\n"
        "热线工作人员表示，将继续提升服务质量，做到事事有回应。"
    )
    nav = {f.text for f in doc.flags if f.kind == "navigation_line"}
    assert nav == {"首页", "新闻中心 > 本地新闻", "返回顶部", "联系我们"}


def test_when_intake_gave_a_title_then_it_is_kept_and_the_page_title_goes_to_meta() -> None:
    doc = STEP(Doc(text=PAGE, title="热线新闻"))
    assert doc.title == "热线新闻" and doc.meta["page_title"] == "市民热线一年办结百万件"


@pytest.mark.parametrize(
    "text",
    [
        "尊敬的书记：你好，先锋街道办事处周边污水横流。\n希望尽快处理。\n谢谢！",
        "反映问题\n\n时间：2019年1月5日\n地点：A市A1区\n\n路灯不亮已经一个月了。",
        "作者：张三\n\n我想问一下公积金怎么提取？",
        "您好\n我是A市居民\n请问来源：哪里可以查询社保？",
        "短消息",
    ],
)
def test_when_text_is_an_ordinary_message_then_it_is_untouched(text: str) -> None:
    doc = STEP(Doc(text=text))
    assert doc.text == text and doc.flags == [] and "layout" not in doc.meta


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("稿件来源:羊城晚报 2023-12-22 第A08版 作者:周寒 编辑:王冬梅", {"source": "羊城晚报", "author": "周寒"}),
        ("来源：新华社 日期：2024/1/2", {"source": "新华社", "date": "2024-01-02"}),
        ("阅读量: 发布日期:2023-12-23", {"date": "2023-12-23"}),
    ],
)
def test_when_a_byline_is_parsed_then_known_keys_land_in_meta(line: str, expected: dict[str, object]) -> None:
    meta = parse_metadata_line(line)
    assert expected.items() <= meta.items()


@pytest.mark.parametrize(
    ("value", "iso"),
    [("2023年12月23日", "2023-12-23"), ("2023-1-2 8:05", "2023-01-02T08:05:00"), ("无", None)],
)
def test_when_a_date_is_written_the_chinese_way_then_it_becomes_iso(value: str, iso: str | None) -> None:
    assert iso_date(value) == iso
