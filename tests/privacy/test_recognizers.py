"""Recognizers, checks, views and operators on hand-picked examples."""

from __future__ import annotations

import pytest

from massline.core.errors import InputError
from massline.privacy import Pattern, Recognizer, find_pii, mask_text, register_recognizer
from massline.privacy.analyzer import Analyzer
from massline.privacy.checks import luhn_ok, valid_id15, valid_id18
from massline.privacy.normalize import views
from massline.privacy.operators import canonical, pseudonym
from massline.privacy.registry import load_recognizers, unregister_recognizer


def types_in(text: str) -> list[tuple[str, str]]:
    return [(f.type, f.text) for f in find_pii(text)]


def test_when_id_checksum_valid_then_id_recognized_and_invalid_rejected() -> None:
    assert valid_id18("11010519491231002X") and valid_id18("11010519491231002x")
    assert not valid_id18("110105194912310021")
    assert not valid_id18("990105194912310028")  # no province 99
    assert valid_id15("430102650127186") and not valid_id15("430102651327186")
    assert luhn_ok("6222021234567890128") and not luhn_ok("6222021234567890125")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证号11010519491231002X。", [("ID_CARD", "11010519491231002X")]),
        ("电话１３８００１３８０００", [("PHONE", "１３８００１３８０００")]),
        ("手机 138 0013 8000 谢谢", [("PHONE", "138 0013 8000")]),
        ("联系方式：+86-139-1234-5678", [("PHONE", "+86-139-1234-5678")]),
        ("座机(0731)84567890", [("PHONE", "(0731)84567890")]),
        ("卡号6222 0212 3456 7890 128", [("BANK_CARD", "6222 0212 3456 7890 128")]),
        ("邮箱abc.d@qq.com", [("EMAIL", "abc.d@qq.com")]),
        ("车牌湘A12345和粤BD12345", [("LICENSE_PLATE", "湘A12345"), ("LICENSE_PLATE", "粤BD12345")]),
        ("护照E12345678", [("PASSPORT", "E12345678")]),
        ("港澳通行证C12345678", [("PERMIT", "C12345678")]),
        ("微信号：wxid_abc123", [("SOCIAL_ID", "wxid_abc123")]),
        ("我叫张三，今年40岁", [("PERSON", "张三")]),
        ("请王女士回电", [("PERSON", "王女士")]),
        ("班主任王老师说", [("PERSON", "王老师")]),
        ("我住在芙蓉路128号金色家园3栋2单元502室，", [("ADDRESS", "芙蓉路128号金色家园3栋2单元502室")]),
        ("我是金侨E4栋1单元15楼的住户", [("ADDRESS", "金侨E4栋1单元15楼")]),
        ("家住K3县黎家坪镇大麻冲一组，", [("ADDRESS", "K3县黎家坪镇大麻冲一组")]),
        ("签名：刘正先 蔡桂枚 胡建平", [("PERSON", "刘正先"), ("PERSON", "蔡桂枚"), ("PERSON", "胡建平")]),
        ("村民周建香办猪场多年，周建香一直置之不理。", [("PERSON", "周建香"), ("PERSON", "周建香")]),
        ("望批准！曾宪民2012.9.16", [("PERSON", "曾宪民")]),
    ],
)
def test_when_text_has_personal_data_then_type_and_span_found(text: str, expected: list[tuple[str, str]]) -> None:
    assert types_in(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "订单号：620102200112109659，至今没有发货。",
        "请拨打12345市民热线。",
        "房子总价1380000元，月供4500元，我转账了13800138000元。",
        "学校302室的投影仪坏了，3号楼的电梯也停了。",
        "2019年12月31日，20191231这个日期请记住。",
        "向老师反映了很多次，语文老师说不归她管。",
        "本人曾经在A市A2区工作过。",
        "本人曾致电西地省人社厅，任哪个医生也不会这样，家居乐暖通任工程部经理。",
        "经销商包括统一、康师傅和白象，村民方提出：在文化路旁新建一栋四层办公楼。",
        "尊敬的胡厅长：您好！邓局长和王主任都知道。",
        "",
        "Hello world, nothing here.",
        "好开心😀🎉 emoji only ☕",
    ],
)
def test_when_text_has_no_personal_data_then_nothing_found_and_text_unchanged(text: str) -> None:
    assert find_pii(text) == []
    assert mask_text(text, "public") == text


def test_when_compact_view_used_then_offsets_map_to_original() -> None:
    text = "号 4301 0219 9001 0112 34"
    compact = views(text)[-1]
    assert compact.name == "compact"
    start = compact.text.index("4")
    assert compact.to_original(start, len(compact.text)) == (2, len(text))


def test_when_masking_public_then_first_and_last_digits_kept() -> None:
    assert mask_text("身份证11010519491231002X", "public") == "身份证110***********002X"
    assert mask_text("电话13800138000", "public") == "电话138****8000"


def test_when_same_number_formatted_differently_then_same_pseudonym() -> None:
    assert canonical("+86 138-0013-8000") == canonical("１３８００１３８０００") == "13800138000"
    a = mask_text("电话 138-0013-8000", "export", "analyst", secret="s1")
    b = mask_text("手机１３８００１３８０００", "export", "analyst", secret="s1")
    assert pseudonym("13800138000", "PHONE", "s1") in a and pseudonym("13800138000", "PHONE", "s1") in b
    assert pseudonym("13800138000", "PHONE", "s2") != pseudonym("13800138000", "PHONE", "s1")


def test_when_output_or_role_unknown_then_clear_error() -> None:
    with pytest.raises(InputError, match="output"):
        mask_text("电话13800138000", "tv")
    with pytest.raises(InputError, match="role"):
        mask_text("nothing", "staff", "janitor")


def test_when_new_recognizer_registered_then_analyzer_uses_it_without_core_change() -> None:
    class TicketRecognizer(Recognizer):
        entity = "PASSPORT"
        name = "test_ticket"
        patterns = (Pattern("ticket", r"TK-\d{6}", 0.9),)

    register_recognizer(TicketRecognizer)
    try:
        analyzer = Analyzer()  # built from the registry, like the default one
        assert ("PASSPORT", "TK-123456") in [(f.type, f.text) for f in analyzer.analyze("票号 TK-123456")]
    finally:
        unregister_recognizer("test_ticket")
    assert "test_ticket" not in load_recognizers()


def test_when_text_is_huge_and_dense_then_analysis_stays_fast() -> None:
    import time

    text = "王先生说" * 10_000 + "张三13800138000路1号3栋" * 2_000
    started = time.perf_counter()
    findings = find_pii(text)
    assert len(findings) >= 12_000
    assert time.perf_counter() - started < 15  # was quadratic (minutes) before overlap resolution used bisect
