"""``clean.mojibake``: corrupted spans are flagged; only provable mis-decodings are repaired."""

from __future__ import annotations

import pytest

from massline.core.types import Doc
from massline.pipeline import build_pipeline

STEP = build_pipeline(["clean.mojibake"])


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("凝聚到黨的周?chē)\ue2f2\ue0d4步ňW上美好精神家園。", "?chē)\ue2f2\ue0d4步ňW"),  # seed page
        ("引導他們?cè)诤霌P主旋律、凈化網絡空間", "?cè)诤霌P"),
        ("掌握新聞?shì)浾撽嚨氐年P鍵,也是", "?shì)浾撽嚨氐年P"),
        ("確保沿著正確方向前進?!眻?jiān)持黨管互聯網", "?!眻?jiān)"),
        ("交互式、快捷性?xún)?yōu)勢,推進", "?xún)?yōu)"),
        ("地址是\ufffd\ufffd路", "\ufffd\ufffd"),
        ("我们小区Жд水管", "Жд"),
        ("回答实在让人惊讶！?牋牋牋?本人", "?牋牋牋?"),
    ],
)
def test_when_text_has_a_corrupted_span_then_it_is_flagged_with_offsets(text: str, span: str) -> None:
    doc = STEP(Doc(text=text))
    flags = [f for f in doc.flags if f.kind == "corrupted_span"]
    assert [f.text for f in flags] == [span]
    assert flags[0].start is not None and text[flags[0].start : flags[0].end] == span
    assert doc.text == text  # never guessed at


@pytest.mark.parametrize(
    ("clean", "wrong"),
    [("周围构建网上", "gbk"), ("他们在弘扬主旋律", "cp1252"), ("你好，世界", "latin-1"), ("市民投诉", "gbk")],
)
def test_when_utf8_was_decoded_with_the_wrong_codec_then_the_round_trip_repairs_it(clean: str, wrong: str) -> None:
    garbled = clean.encode("utf-8").decode(wrong, errors="strict")
    doc = STEP(Doc(text=f"我们说{garbled}的事情。"))
    assert doc.text == f"我们说{clean}的事情。"
    assert [f.kind for f in doc.flags] == ["mojibake_repaired"]


@pytest.mark.parametrize(
    "text",
    [
        "为民办实亊，办好亊不要是一句空话",  # variant characters written by a person
        "为嗲嗲娭毑们的愚昧感到心痛啊",  # Changsha dialect words
        "与管理者不知有关吗?长久以来",  # a real question mark
        "是不是孕期都要做β链球菌筛查",
        "00000元×20年=0000元",
        "芎嗪注射液(规格:5ml)以药物",
        "A市A1区的路灯坏了",
        "Café au lait 和咖啡",
        "Straße",
    ],
)
def test_when_text_is_unusual_but_real_then_nothing_is_flagged(text: str) -> None:
    doc = STEP(Doc(text=text))
    assert doc.flags == [] and doc.text == text


def test_when_text_is_binary_junk_then_flags_are_capped_and_nothing_fails() -> None:
    junk = bytes(range(256)).decode("latin-1") * 20 + "路灯\ufffd坏了很久" * 200
    doc = STEP(Doc(text=junk))
    mine = [f for f in doc.flags if f.component == "clean.mojibake"]
    assert len(mine) <= 51
    assert mine[-1].kind == "corrupted_text"
