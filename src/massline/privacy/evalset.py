"""Builds the PII evaluation set from real 泰迪杯 message text (附件2 留言详情).

Base texts are real citizen messages that an *independent* crude screen (any run of 7+
digits, '@', a plate prefix, 先生/老师/我叫/本人…, numbered 栋/单元/室/号) finds free of
personal data, so anything the recognizers flag in them counts as a false positive; the
screen is deliberately not our recognizers, which would hide their own false positives.
Personal data from :mod:`massline.privacy.synth` is inserted at sentence boundaries
inside short realistic fragments (some with a context word, some without), with a fixed
seed, so ``massline pii make-evalset`` regenerates the file byte for byte.

Before insertion the screened base texts are scanned by our recognizers and every finding
is reviewed by hand (``massline pii make-evalset --review``); texts whose findings are real
personal data are listed in ``evaluation/pii/base_excluded.txt`` and left out, texts whose
findings are false positives stay in (so those false positives are counted).

The hand-written tricky cases live in ``evaluation/pii/tricky.txt`` with inline markers
``[[TYPE|value]]``; :func:`compile_marked` turns them into the same JSONL format.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from massline.core.errors import InputError
from massline.privacy import synth

CRUDE_SCREEN = re.compile(
    r"\d(?:[\s\-－]?\d){6,}|[０-９](?:\s?[０-９]){6,}|@|＠"
    r"|[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-ZＡ-Ｚ]"
    r"|先生|女士|小姐|师傅|阿姨|老师|医生|老板|同学|大爷|大妈|我叫|名叫|姓名|联系人|签名|申请人|举报人|投诉人|户主|当事人|本人"
    r"|微信|QQ|qq|护照|通行证|回乡证|台胞证|身份证|卡号|账号|邮箱"
    r"|[0-9０-９A-Za-z一二三四五六七八九十]+(?:栋|幢|座|单元|室|号楼|组|户)|号"
)

Gen = Callable[[random.Random], tuple[str, str]]  # -> (surface form, template)


def _id(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.1:
        return synth.id15(rng)
    v = synth.id18(rng)
    if r < 0.2:
        return synth.grouped(v, (6, 8), " ")
    if r < 0.3:
        return synth.fullwidth(v)
    return v.lower() if r < 0.35 else v


def _phone(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.15:
        return synth.landline(rng) if rng.random() < 0.7 else "(" + synth.landline(rng).replace("-", ")")
    v = synth.mobile(rng)
    if r < 0.3:
        return synth.grouped(v, (3, 4), rng.choice((" ", "-")))
    if r < 0.4:
        return rng.choice(("+86 ", "+86-", "0086 ", "+86")) + v
    if r < 0.5:
        return synth.fullwidth(v)
    return v


def _card(rng: random.Random) -> str:
    v = synth.bank_card(rng)
    return synth.grouped(v, (4, 4, 4, 4), " ") if rng.random() < 0.5 else v


FRAGMENTS: dict[str, tuple[Callable[[random.Random], str], tuple[str, ...]]] = {
    "ID_CARD": (_id, ("本人身份证号：{}。", "身份证号码{}，", "我的身份证是{}，", "证件号码：{}。",
                      "（身份证{}）", "{}是我的身份证号。", "，{}，")),
    "PHONE": (_phone, ("联系电话：{}。", "我的手机号是{}，", "请回电{}。", "有事可以打{}找我。", "电话{}，",
                       "手机：{}，",
                       "，{}（手机）。", "联系方式{}。", "，{}。")),
    "BANK_CARD": (_card, ("我的银行卡号是{}，", "工资卡号：{}。", "退款请转到{}（农业银行）。", "账号{}，", "卡号{}。",
                          "社保卡{}，")),
    "EMAIL": (synth.email, ("邮箱：{}。", "请把材料发到{}。", "我的邮箱是{}，", "Email: {} 。", "，{}，")),
    "LICENSE_PLATE": (synth.plate, ("车牌号为{}的车辆", "一辆{}的小车长期占用消防通道，", "{}经常在小区门口违停。",
                                    "肇事车辆车牌{}，", "，{}，")),
    "PASSPORT": (synth.passport, ("护照号码{}，", "我的护照号是{}。", "（护照：{}）", "，{}，")),
    "PERSON": (synth.person, ("我叫{}，", "本人{}，", "联系人：{}，", "姓名：{}。", "申请人：{}。", "我父亲叫{}，")),
    "ADDRESS": (synth.address, ("我住在{}，", "家住{}。", "地址：{}。", "，{}的住户反映，", "本人现居{}，")),
    "SOCIAL_ID": (synth.wechat, ("微信号：{}，", "加我微信{}。", "vx：{}，")),
}
TITLES = ("先生", "女士", "老师", "阿姨", "师傅")
TITLED = ("，{}告诉我，", "我们找到了物业的{}，", "请{}尽快处理。", "班主任{}要求", "。{}说")
PERMIT_TEMPLATES = ("{kind}号码{}，", "我的{kind}是{}。", "{kind}：{}。")
QQ_TEMPLATES = ("QQ：{}。", "我的qq号是{}，", "QQ {}，")


def _fragment(rng: random.Random, entity: str) -> tuple[str, int, int]:
    """(fragment text, start, end of the value inside it); the value is of type ``entity``."""
    if entity == "PERMIT":
        value, kind = synth.permit(rng)
        template = rng.choice(PERMIT_TEMPLATES).replace("{kind}", kind)
    elif entity == "PERSON" and rng.random() < 0.4:
        name = synth.person(rng)
        value = (name[0] if rng.random() < 0.5 else name) + rng.choice(TITLES)
        template = rng.choice(TITLED)
    elif entity == "SOCIAL_ID" and rng.random() < 0.4:
        value, template = synth.qq(rng), rng.choice(QQ_TEMPLATES)
    else:
        gen, templates = FRAGMENTS[entity]
        value, template = gen(rng), rng.choice(templates)
    start = template.index("{}")
    return template.replace("{}", value, 1), start, start + len(value)


def fingerprint(text: str) -> str:
    """Short sha256 of a whitespace-collapsed message body (how reviewed exclusions are listed)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_exclusions(path: Path) -> frozenset[str]:
    """Fingerprints in ``base_excluded.txt`` (first tab-separated field; ``#`` lines are comments)."""
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.split("\t")[0] for line in lines if line.strip() and not line.startswith("#"))


def base_texts(path: Path, *, max_chars: int = 260, excluded: frozenset[str] = frozenset()) -> list[str]:
    """Real message bodies passing the crude screen and not excluded by review, cut at a sentence end."""
    if not path.exists():
        raise InputError("file not found (expected ../shared/data/taidi2020/fj2_dev.csv)", origin=str(path))
    out: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            text = re.sub(r"\s+", " ", row.get("留言详情") or "").strip()
            if len(text) < 20 or CRUDE_SCREEN.search(text) or fingerprint(text) in excluded:
                continue
            if len(text) > max_chars:
                cut = max(text.rfind(p, 0, max_chars) for p in "。！？")
                text = text[: cut + 1] if cut > 40 else text[:max_chars]
            out.append(text)
    return out


def generate(source: Path, n: int = 600, seed: int = 20260, empty_share: float = 0.15,
             excluded: frozenset[str] = frozenset()) -> Iterator[dict[str, Any]]:
    """``n`` labelled records: real base text + 1–3 inserted fragments (or none, for false positives)."""
    rng = random.Random(seed)
    bases = base_texts(source, excluded=excluded)
    types = [*FRAGMENTS, "PERMIT"]
    for i in range(n):
        text = rng.choice(bases)
        spans: list[list[Any]] = []
        k = 0 if rng.random() < empty_share else rng.choice((1, 1, 2, 2, 3))
        for _ in range(k):
            entity = rng.choice(types)
            fragment, s, e = _fragment(rng, entity)
            cuts = [0, len(text)] + [m.end() for m in re.finditer(r"[。！？，]", text)]
            at = rng.choice(cuts)
            shifted = [[a + len(fragment), b + len(fragment), t] if a >= at else [a, b, t] for a, b, t in spans]
            spans = [*shifted, [at + s, at + e, entity]]
            text = text[:at] + fragment + text[at:]
        yield {"id": f"gen-{i:04d}", "text": text, "spans": sorted(spans)}


_MARK = re.compile(r"\[\[([A-Z_]+)\|(.+?)\]\]")


def compile_marked(lines: list[str], prefix: str = "tricky") -> Iterator[dict[str, Any]]:
    """``我叫[[PERSON|张三]]`` lines → records with character spans (``#`` lines are comments)."""
    n = 0
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        n += 1
        text, spans, pos = "", [], 0
        for m in _MARK.finditer(line):
            text += line[pos : m.start()]
            spans.append([len(text), len(text) + len(m.group(2)), m.group(1)])
            text += m.group(2)
            pos = m.end()
        text += line[pos:]
        yield {"id": f"{prefix}-{n:03d}", "text": text, "spans": spans}


def write_jsonl(records: Iterator[dict[str, Any]], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            count += 1
    return count
