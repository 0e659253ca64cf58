"""Realistic fake personal data, for the evaluation set and property tests.

Numbers are *valid* (check digits, region codes, dates) unless asked otherwise, and come
in the forms citizens really type: grouped with spaces or dashes, full width, +86.
Never real people's data: names are random surname + given-name characters, numbers random.
"""

from __future__ import annotations

import datetime as _dt
import random

from massline.privacy.checks import id_check_char, luhn_check_digit
from massline.privacy.recognizers.names import SURNAMES_1

REGIONS = ("110105", "110108", "120101", "130102", "310115", "320102", "330106", "340104", "350203", "360102",
           "370102", "410105", "420106", "430102", "430104", "430111", "431102", "440106", "440305", "450103",
           "500103", "510104", "520102", "530102", "610113", "620102", "650102")
AREA_CODES = ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029", "0731", "0730", "0736",
              "0737", "0738", "0739", "0743", "0744", "0745", "0746", "0755", "0571", "0591")
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
    "建国志文辉鹏宇浩然欣怡子涵梓轩思雨佳琪晓梅春燕海燕立新德胜"
)
PLATE_PROVINCES = "湘京沪粤苏浙鄂川赣豫鲁皖闽桂贵云"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
STREETS = (
    "芙蓉中路", "五一大道", "人民东路", "韶山南路", "劳动西路", "雨花路", "解放西路", "东风路",
    "桐梓坡路", "万家丽北路", "建设路", "长沙大道", "枫林三路", "车站北路", "湘府西路",
)
ESTATES = (
    "金色家园", "阳光花园", "麓山名苑", "和馨园小区", "东方明珠小区", "万科城", "碧桂园", "紫薇新村",
    "湘江世纪城", "德政园", "桂花公寓", "枫林小区", "清水塘社区", "望城花园", "丽景山庄",
)
VILLAGES = ("黄花镇新桥村", "白沙乡红星村", "莲花镇龙塘村", "石门乡田心村")
CN_NUM = "一二三四五六七八九十"


def _birth(rng: random.Random, lo: int = 1940, hi: int = 2006) -> _dt.date:
    start = _dt.date(lo, 1, 1).toordinal()
    return _dt.date.fromordinal(rng.randint(start, _dt.date(hi, 12, 31).toordinal()))


def id18(rng: random.Random, *, valid: bool = True) -> str:
    body = rng.choice(REGIONS) + _birth(rng).strftime("%Y%m%d") + f"{rng.randint(0, 999):03d}"
    check = id_check_char(body)
    if not valid:
        check = rng.choice([c for c in "0123456789X" if c != check])
    return body + check


def id15(rng: random.Random) -> str:
    return rng.choice(REGIONS) + _birth(rng, 1940, 1999).strftime("%y%m%d") + f"{rng.randint(0, 999):03d}"


def mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def landline(rng: random.Random) -> str:
    return rng.choice(AREA_CODES) + "-" + rng.choice("2345678") + "".join(rng.choice("0123456789") for _ in range(7))


def bank_card(rng: random.Random, length: int | None = None) -> str:
    n = length or rng.choice((16, 19, 19, 18, 17))
    prefix = rng.choice(("62", "62", "62", "4", "5", "60"))
    body = prefix + "".join(rng.choice("0123456789") for _ in range(n - len(prefix) - 1))
    return body + luhn_check_digit(body)


def email(rng: random.Random) -> str:
    user = rng.choice(("zhang", "li", "wang", "liu", "chen", "xiaoming", "hn", "cs")) + str(rng.randint(1, 99999))
    if rng.random() < 0.4:
        user = str(rng.randint(10000, 9999999999))
    return user + "@" + rng.choice(("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "foxmail.com"))


def plate(rng: random.Random) -> str:
    head = rng.choice(PLATE_PROVINCES) + rng.choice(PLATE_LETTERS)
    if rng.random() < 0.3:  # new energy
        tail = rng.choice("DF") + rng.choice(PLATE_LETTERS + "0123456789") + f"{rng.randint(0, 9999):04d}"
    else:
        tail = "".join(rng.choice("0123456789" * 3 + PLATE_LETTERS) for _ in range(4)) + str(rng.randint(0, 9))
    return head + ("·" if rng.random() < 0.2 else "") + tail


def passport(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "E" + f"{rng.randint(0, 99_999_999):08d}"
    return "E" + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + f"{rng.randint(0, 9_999_999):07d}"


def permit(rng: random.Random) -> tuple[str, str]:
    """(number, kind) with kind one of 港澳通行证 / 回乡证 / 台胞证."""
    kind = rng.choice(("港澳通行证", "回乡证", "台胞证"))
    if kind == "港澳通行证":
        return "C" + f"{rng.randint(0, 99_999_999):08d}", kind
    if kind == "回乡证":
        return rng.choice("HM") + f"{rng.randint(0, 99_999_999):08d}", kind
    return f"{rng.randint(0, 99_999_999):08d}", kind


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES_1[:60]) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def address(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return (f"{rng.choice(STREETS)}{rng.randint(1, 400)}号{rng.choice(ESTATES)}{rng.randint(1, 30)}栋"
                f"{rng.randint(1, 6)}单元{rng.randint(1, 32)}0{rng.randint(1, 4)}室")
    if r < 0.7:
        return (f"{rng.choice(ESTATES)}{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元"
                f"{rng.randint(1, 26)}0{rng.randint(1, 4)}室")
    if r < 0.85:
        return f"{rng.choice(STREETS)}{rng.randint(1, 400)}号"
    return f"{rng.choice(VILLAGES)}{rng.choice(CN_NUM)}组{rng.randint(1, 60)}号"


def wechat(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return mobile(rng)
    return rng.choice(("wxid_", "zhang", "Li", "hn_", "cs")) + "".join(
        rng.choice("abcdefghijkmnpqrstuvwxyz0123456789") for _ in range(rng.randint(4, 10)))


def qq(rng: random.Random) -> str:
    return str(rng.randint(10_000, 3_999_999_999))


def fullwidth(value: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)


def grouped(value: str, sizes: tuple[int, ...], sep: str = " ") -> str:
    """``value`` split into groups of ``sizes`` (the last group takes the rest)."""
    out, pos = [], 0
    for size in sizes:
        if pos >= len(value):
            break
        out.append(value[pos : pos + size])
        pos += size
    if pos < len(value):
        out.append(value[pos:])
    return sep.join(out)
