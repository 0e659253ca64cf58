"""Recognizers for number-shaped personal data: ID cards, phones, bank cards, passports, permits.

All scan the compact view too (digit separators removed), so ``4301 0219 9001 0112 34``
and ``138-0013-8000`` are found; validators see the bare digits.
"""

from __future__ import annotations

import re

from massline.privacy.base import Pattern, Recognizer
from massline.privacy.checks import id_structure_ok, luhn_ok, valid_id15, valid_id18
from massline.privacy.registry import register_recognizer

_DIGIT = re.compile(r"\d")
_NOT_NUMBER = ("订单", "单号", "编号", "流水", "快递", "运单", "发票", "合同", "工号", "学号", "批次", "序列号", "条码")


@register_recognizer
class IdCardRecognizer(Recognizer):
    entity = "ID_CARD"
    name = "id_card"
    patterns = (
        Pattern("id18", r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])", 0.95),
        Pattern("id15", r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])", 0.55),
    )
    context = ("身份证", "身份号", "证件号", "公民身份", "身份证号", "证号", "id")
    negative_context = _NOT_NUMBER
    explanation = "resident ID: valid region code, birth date and (18 digits) ISO 7064 MOD 11-2 check character"
    views = ("folded", "compact")
    needs = _DIGIT

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if pattern.name == "id18":
            return pattern.score if valid_id18(value) else None
        return pattern.score if valid_id15(value) else None


_AREA = r"0(?:10|2\d|[3-9]\d{2})"


@register_recognizer
class PhoneRecognizer(Recognizer):
    entity = "PHONE"
    name = "phone"
    patterns = (
        Pattern("mobile", r"(?<![0-9A-Za-z])(?:(?:\(?(?:\+|00)86\)?|86)[ -]?)?1[3-9]\d{9}(?!\d)", 0.85),
        Pattern("landline", rf"(?<![0-9A-Za-z])(?:\({_AREA}\)|{_AREA})[ -]?[2-9]\d{{6,7}}(?:-\d{{1,4}})?(?!\d)", 0.7),
        Pattern("service", r"(?<![0-9A-Za-z])[48]00[ -]?\d{3}[ -]?\d{4}(?!\d)", 0.6),
        Pattern("local", r"(?<![0-9A-Za-z\-])[2-8]\d{6,7}(?![0-9\-])", 0.2),
    )
    context = ("电话", "手机", "联系方式", "致电", "拨打", "号码", "tel", "座机", "来电", "联系我", "打我", "拨",
               "回电")
    negative_context = (*_NOT_NUMBER, "金额", "人民币", "¥", "￥")
    negative_after = ("元", "块", "万")
    explanation = "mobile 1[3-9]x (optionally +86/0086), landline with area code, 400/800, local numbers in context"
    views = ("folded", "compact")
    needs = _DIGIT

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if pattern.name == "local" and re.fullmatch(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])", value):
            return None  # yyyymmdd, not a phone
        return pattern.score


@register_recognizer
class BankCardRecognizer(Recognizer):
    entity = "BANK_CARD"
    name = "bank_card"
    patterns = (Pattern("card", r"(?<![0-9A-Za-z])[3-69]\d{14,18}(?![0-9A-Za-z])", 0.6),)
    context = ("卡号", "银行卡", "账号", "帐号", "账户", "帐户", "储蓄卡", "信用卡", "借记卡", "开户", "银行")
    negative_context = (*_NOT_NUMBER, "身份证")
    explanation = "15–19 digits passing the Luhn check (UnionPay 62… scored higher)"
    views = ("folded", "compact")
    needs = _DIGIT

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if not (16 <= len(value) <= 19 or (len(value) == 15 and value[0] == "3")) or not luhn_ok(value):
            return None
        if id_structure_ok(value) or valid_id15(value):
            return 0.2  # shaped like an ID (wrong check digit / legacy 15): a card only if the context says so
        return 0.75 if value.startswith("62") else pattern.score


@register_recognizer
class PassportRecognizer(Recognizer):
    entity = "PASSPORT"
    name = "passport"
    patterns = (
        Pattern("ordinary", r"(?<![0-9A-Za-z])(?:E[0-9A-HJ-NP-Z]\d{7}|G\d{8})(?![0-9A-Za-z])", 0.6),
        Pattern("official", r"(?<![0-9A-Za-z])(?:[DSP]E?\d{7}|[A-Z]{2}\d{7})(?![0-9A-Za-z])", 0.2),
    )
    context = ("护照", "passport", "签证")
    explanation = "PRC passport numbers: E + 8 (or E + letter + 7), G + 8; others only next to 护照"
    needs = _DIGIT


@register_recognizer
class PermitRecognizer(Recognizer):
    entity = "PERMIT"
    name = "permit"
    patterns = (
        Pattern("hk_macau_taiwan", r"(?<![0-9A-Za-z])(?:[CHML]\d{8}(?:\d{2})?|C[A-HJ-NP-Z]\d{7})(?![0-9A-Za-z])", 0.55),
        Pattern("mtp", r"台胞证(?:号码?|号)?\s*(?:是|为|[:：])?\s*(\d{8}(?:\d{2}(?:\([A-Z]\))?)?)(?!\d)", 0.9, 1),
    )
    context = ("通行证", "回乡证", "台胞证", "港澳", "往来", "签注", "证件")
    explanation = "Hong Kong/Macau/Taiwan travel permits: C/H/M/L + 8–10 digits, 台胞证 numbers in context"
    needs = _DIGIT
