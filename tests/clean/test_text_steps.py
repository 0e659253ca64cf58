"""``clean.normalize``, ``clean.t2s``, ``clean.language`` and ``clean.html`` as tables."""

from __future__ import annotations

import pytest

from massline.core.types import Doc
from massline.pipeline import build_pipeline

NORMALIZE = build_pipeline(["clean.normalize"])
T2S = build_pipeline(["clean.t2s"])
LANGUAGE = build_pipeline(["clean.language"])
HTML = build_pipeline(["clean.html"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("时间１２：３０到１３．５", "时间12:30到13.5"),  # ：．between digits become ASCII
        ("你好，请问（一）怎么办？", "你好，请问（一）怎么办？"),  # Chinese punctuation kept
        ("７点－８点＠ｍａｉｌ", "7点-8点@mail"),
        ("\u3000\u3000尊敬的领导：\u3000\u3000您好", "尊敬的领导： 您好"),
        ("a\r\n\r\n\r\n\r\nb", "a\n\nb"),  # paragraph break kept, not multiplied
        ("零\u200b宽\ufeff字符", "零宽字符"),
        ("行尾_x000D_\n下一行", "行尾\n下一行"),
        ("  多   空格  ", "多 空格"),
    ],
)
def test_when_text_is_normalized_then_width_and_whitespace_are_tidy(text: str, expected: str) -> None:
    assert NORMALIZE(Doc(text=text)).text == expected


@pytest.mark.parametrize(
    ("text", "expected", "script"),
    [
        ("網上群眾路線", "网上群众路线", "traditional"),
        ("乾隆年間的頭髮", "乾隆年间的头发", "traditional"),  # phrase table: 乾隆 stays
        ("路灯坏了很久", "路灯坏了很久", "simplified"),
        ("Hello", "Hello", "simplified"),
    ],
)
def test_when_converted_then_text_is_simplified_and_script_recorded(text: str, expected: str, script: str) -> None:
    doc = T2S(Doc(text=text, title=text))
    assert (doc.text, doc.title, doc.meta["script"]) == (expected, expected, script)
    assert doc.original == text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("A市A1区的路灯坏了", "zh"),
        ("The street light outside my house is broken", "en"),
        ("東京へ行きます", "ja"),
        ("안녕하세요", "ko"),
        ("Привет мир", "ru"),
        ("مرحبا بالعالم", "und"),
        ("12345", "und"),
        ("", "und"),
    ],
)
def test_when_language_is_detected_then_script_shares_decide(text: str, language: str) -> None:
    doc = LANGUAGE(Doc(text=text))
    assert doc.language == language
    assert doc.result("language") is not None


PAGE = """<html><head><title>市民热线一年办结百万件 - 南方日报</title>
<meta name="author" content="李明"><meta property="og:site_name" content="南方日报">
<link rel="canonical" href="https://example.gov.cn/news/1.html">
<meta property="article:published_time" content="2024-03-05"></head>
<body><nav><a href="/">首页</a> <a href="/tg">新闻投稿</a></nav>
<article><h1>市民热线一年办结百万件</h1>
<p>12345热线去年受理市民诉求一百多万件，办结率超过百分之九十九，群众满意度持续提升。</p>
<p>热线工作人员表示，将继续提升服务质量，做到事事有回应、件件有着落，让市民少跑腿。</p></article>
<footer>版权所有 © 2024 南方日报</footer></body></html>"""


def test_when_html_is_cleaned_then_main_text_and_metadata_are_extracted() -> None:
    doc = HTML(Doc(text=PAGE, content_type="text/html; charset=utf-8"))
    assert doc.title == "市民热线一年办结百万件"
    assert doc.text.startswith("12345热线去年受理") and "事事有回应" in doc.text
    for furniture in ("首页", "新闻投稿", "版权所有", "<p>"):
        assert furniture not in doc.text
    assert doc.meta["canonical_url"] == "https://example.gov.cn/news/1.html"
    assert doc.meta["date"] == "2024-03-05" and doc.meta["author"] == "李明" and doc.meta["source"] == "南方日报"
    assert doc.original == PAGE


@pytest.mark.parametrize("markup", ["<html><body></body></html>", "<html><body><script>x=1</script></body></html>"])
def test_when_html_has_no_text_then_body_is_empty_and_flagged(markup: str) -> None:
    doc = HTML(Doc(text=markup, content_type="text/html"))
    assert doc.text == "" and [f.kind for f in doc.flags] == ["no_text"] and doc.original == markup


def test_when_plain_text_looks_like_html_then_html_step_leaves_it() -> None:
    text = "<p>我在网页上看到这个标签</p>"
    assert HTML(Doc(text=text, content_type="text/plain")).text == text
