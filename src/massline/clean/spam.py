"""``clean.spam``: remove injected spam/SEO lines (gambling, lottery, casino, porn, keyword stuffing).

Defaced pages carry lines such as ``网上投注足球竞彩网-足球网上投注网-申烨太阳城三期`` (the
seed page's first line): keyword lists for a gambling site, written for search engines.
They must not reach analysis — but citizens also *write about* gambling and porn when they
report it, so the rules are deliberately narrow:

* terms are **strong** (投注, 博彩, 百家乐 … only spam uses them) or **weak** (太阳城, 威尼斯人,
  皇冠 … also names of estates, hotels, brands);
* a line that reads as prose (has ，。！？；) is spam only with ≥ 3 distinct strong terms (an ad);
* any other line is spam with ≥ 2 strong terms, or 1 strong term plus a weak term or keyword
  stuffing (≥ 3 short ``-``/``_``/``|``-joined segments repeating the same words), or ≥ 2 weak
  terms *and* keyword stuffing — a complaint title naming one thing (…有老虎机) is not spam;
* a line containing a reporting word (举报, 投诉, 反映, 查处, 非法, 诈骗, 您好 …) is never spam;
* a single-line document is never emptied: its spam is flagged ``spam_suspect`` and kept.

Matching runs on the simplified, lower-cased line, so traditional spam (網上投注) matches too.
Removed lines are flagged ``spam_line`` with the removed text, its offsets and the evidence.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from massline.clean._base import Cleaner
from massline.clean._text import lines, remove_lines, to_simplified
from massline.core.types import Doc
from massline.pipeline.registry import registry

STRONG_TERMS: tuple[str, ...] = tuple(
    # gambling / lottery / betting
    "投注 竞彩 博彩 赌场 赌球 赌博网 百家乐 老虎机 六合彩 时时彩 北京赛车 pk10 真人视讯 真人荷官 彩票网 网上赌 "
    "体育博彩 开户送 注册送 首存 彩金 返水 下注 bet365 365bet casino 新葡京 澳门赌 棋牌游戏 网投 "
    # porn
    "色情 成人电影 成人视频 成人网站 黄色网站 黄色视频 一夜情 裸聊 约炮 援交 毛片 av在线 激情视频 伦理片 三级片".split()
)
WEAK_TERMS: tuple[str, ...] = tuple(
    "娱乐城 娱乐场 太阳城 威尼斯人 金沙 银河娱乐 皇冠 足球 彩票 赌 娱乐 葡京 棋牌 捕鱼 体育".split()
)
PROTECT_WORDS: tuple[str, ...] = tuple(
    "举报 投诉 反映 打击 查处 取缔 整治 非法 违法 诈骗 被骗 骗局 报警 请问 希望 建议 要求 领导 政府 部门 "
    "你好 您好 尊敬 沉迷 欠债".split()
)
_STRONG = re.compile("|".join(re.escape(t) for t in STRONG_TERMS))
_WEAK = re.compile("|".join(re.escape(t) for t in WEAK_TERMS))
_PROTECT = re.compile("|".join(re.escape(t) for t in PROTECT_WORDS))
_SEPARATORS = re.compile(r"[-_|｜—–]+")
_PROSE = re.compile(r"[。！？!?；;，,]")


@dataclass(frozen=True, slots=True)
class Verdict:
    spam: bool
    reason: str


def _stuffing(line: str) -> str:
    """Evidence of keyword stuffing: ≥ 3 short segments sharing a 2-character word, else ``""``."""
    segments = [s for s in _SEPARATORS.split(line) if s]
    if len(segments) < 3 or sum(len(s) for s in segments) / len(segments) > 15:
        return ""
    grams: Counter[str] = Counter()
    for seg in segments:
        grams.update({seg[i : i + 2] for i in range(len(seg) - 1)})
    repeated = [g for g, n in sorted(grams.items(), key=lambda kv: (-kv[1], kv[0]))[:3] if n >= 2]
    return f"keyword stuffing: {len(segments)} segments repeating {'/'.join(repeated)}" if repeated else ""


def judge_line(line: str) -> Verdict:
    """Is this one line injected spam? (see module doc for the rules)."""
    probe = to_simplified(line.strip()).lower()
    if not probe or not (_STRONG.search(probe) or _WEAK.search(probe)):
        return Verdict(False, "")
    if _PROTECT.search(probe):
        return Verdict(False, "mentions spam terms but reads as a report")
    strong = sorted(set(_STRONG.findall(probe)))
    weak = sorted(set(_WEAK.findall(probe)) - {w for w in set(_WEAK.findall(probe)) if any(w in s for s in strong)})
    stuffing = _stuffing(probe)
    if _PROSE.search(probe):
        spam = len(strong) >= 3
    else:
        spam = len(strong) >= 2 or (len(strong) == 1 and bool(weak or stuffing)) or (len(weak) >= 2 and bool(stuffing))
    if not spam:
        return Verdict(False, "")
    evidence = [f"gambling/porn terms: {', '.join(strong)}"] if strong else []
    if weak:
        evidence.append(f"ambiguous terms: {', '.join(weak)}")
    if stuffing:
        evidence.append(stuffing)
    return Verdict(True, "; ".join(evidence))


@registry.register("clean.spam", version="1", stage="clean", requires=("text",), assigns=("text",))
class Spam(Cleaner):
    """Remove injected gambling/porn/SEO keyword lines and flag them as spam_line; see module doc."""

    def clean(self, doc: Doc) -> Doc:
        if not _STRONG.search(doc.text.lower()) and not _STRONG.search(to_simplified(doc.text).lower()):
            return doc
        all_lines = list(lines(doc.text))
        content = [ln for ln in all_lines if ln.stripped]
        drop: set[int] = set()
        for i, ln in enumerate(all_lines):
            verdict = judge_line(ln.text)
            if not verdict.spam:
                continue
            if len(content) < 2:
                self.flag(
                    doc,
                    "spam_suspect",
                    f"{verdict.reason}; kept: it is the whole message",
                    start=ln.start,
                    end=ln.end,
                    text=ln.text,
                )
                continue
            drop.add(i)
            self.flag(
                doc,
                "spam_line",
                f"removed injected spam line ({verdict.reason})",
                start=ln.start,
                end=ln.end,
                text=ln.text,
            )
        if drop:
            doc.text = remove_lines(doc.text, drop)
        return doc
