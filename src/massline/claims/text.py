"""One normal form for claims and messages before they are compared.

Why: the same rumor arrives in traditional or simplified script, with full-width digits, with
@mentions, links and ``[表情]`` tags of the platform it was copied from. Matching must see
through all of that, so both sides go through :func:`normalise` (the cleaning pipeline's own
width folding and OpenCC ``t2s``) and are cut into the same units: jieba words and character
bigrams (bigrams survive words jieba splits differently on the two sides).
"""

from __future__ import annotations

import re

from massline.analyze.segment import cut
from massline.clean._text import to_simplified
from massline.clean.normalize import normalize_text

_NOISE = re.compile(r"https?://\S+|www\.\S+|@[\w\u4e00-\u9fff-]{1,30}|\[[\u4e00-\u9fff\w]{1,8}\]|#")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
#: Words that say how something is asked or forwarded, not what is claimed.
STOPWORDS = frozenset(
    "的 了 是 在 和 有 我 你 他 她 也 都 就 这 那 吗 呢 吧 啊 呀 嘛 么 着 把 被 给 对 与 及 请问 请 听说 据说 "
    "网上 网传 传言 传 真的 真 假的 假 是不是 有没有 属实 吗 一下 大家 朋友 群里 朋友圈 转发 转 消息 "
    "就是 还是 已经 可以 这个 那个 一个 什么 怎么 为什么 如何 能否 是否 求证 辟谣 核实 相关 部门 有关".split())


def normalise(text: str) -> str:
    """Width-folded, simplified, without links, @mentions, emoji tags; lower-cased."""
    folded, _, _ = normalize_text(text or "")
    return _NOISE.sub(" ", to_simplified(folded)).lower().strip()


def words(norm: str) -> list[str]:
    """Content words of normalised text (jieba with the shipped dictionaries)."""
    return [w for w in cut(norm) if w not in STOPWORDS and not _PUNCT.fullmatch(w)]


def char_bigrams(norm: str) -> list[str]:
    """Character bigrams inside runs of letters, digits and ideographs (punctuation breaks a run)."""
    grams: list[str] = []
    for run in _PUNCT.split(norm):
        if len(run) == 1:
            grams.append(run)
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def tokens(text: str) -> list[str]:
    """What the matcher indexes: words (``w:``) and character bigrams (``c:``) of the normal form."""
    norm = normalise(text)
    return [f"w:{w}" for w in words(norm)] + [f"c:{g}" for g in char_bigrams(norm)]
