"""Place extraction: province, city, district/county, street, community, estate, town, village, road.

Two sources, both explained in the reason: the masked administrative units of the 泰迪杯 data
(``A市``, ``A2区``, ``K8县``, ``C4市``: a regular pattern, certain) and named places found by the
segmenter — a word from the place dictionary, or a word ending in a place suffix (街道, 社区,
小区, 镇, 乡, 村, 路, 大道, 街), or a name followed by a bare suffix word ("先锋" + "街道办事处"
→ 先锋街道). Generic words (道路, 农村, 这条路) are excluded. Offsets are into ``doc.title``
(``on="title"``) or ``doc.text`` (``on="text"``), so a message can be counted per place and
the place highlighted where it was written.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba

from massline.analyze.segment import doc_text, get_tokenizer, word_freq
from massline.core.types import Doc, Result
from massline.pipeline.registry import registry

NAME = "analyze.places"
VERSION = "2"

_UNIT = re.compile(r"(?<![A-Za-z0-9])(?:西地省|[A-Z](\d{0,2})([市区县]))")

#: suffix → level, longest first so 大道 wins over 道.
SUFFIX_LEVEL: tuple[tuple[str, str], ...] = (
    ("街道办事处", "street"), ("街道办", "street"), ("街道", "street"), ("社区", "community"), ("小区", "estate"),
    ("大道", "road"), ("镇", "town"), ("乡", "town"), ("村", "village"), ("路", "road"), ("街", "road"),
)
#: Words that end in a suffix but name no place.
GENERIC = frozenset(
    "道路 公路 马路 铁路 高速公路 线路 思路 出路 生路 走路 一路 小路 大路 网路 电路 路路 必经之路 十字路 "
    "农村 乡村 城乡 乡镇 城镇 新农村 本村 全村 我村 该村 邻村 各村 村村 小区 社区 街道 街道办 街道办事处 "
    "大街 老街 步行街 商业街 美食街 小街 本镇 全镇 该镇 我镇 各乡镇 家乡 老乡 下乡 回乡 城镇村".split()
)
#: Words that cannot be the name part before a bare suffix ("我们" + "小区").
NOT_A_NAME = frozenset(
    "我们 你们 他们 这条 那条 一条 每条 这个 那个 这里 那里 所在 整个 附近 周边 周围 主要 城市 所有 各个 "
    "我家 本地 当地 没有 一个 一些 居住 住在 位于 我们的 "
    "该 这 那 的 在 到 和 与 及 是 了 各 本 每 全 新 老 小 大".split()
)
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
#: Generic ways/settlements (城际铁路, 水泥路, 贫困村) and non-names (第一村, 某某镇).
_GENERIC_RE = re.compile(
    r"(铁路|道路|线路|公路|马路|水泥路|柏油路|土路|小路|大路|山路|新路|老路|思路|高速路|人行路|上学路|维权路|"
    r"贫困村|行政村|自然村|城中村|小山村|居民小区|住宅小区|重点镇|离乡)$|^[第几某]"
)
#: A word this common in general Chinese is not the name part of a place ("进入" + "小区").
COMMON_FREQ = 3000
_NAME_TAGS = frozenset({"n", "nr", "ns", "nt", "nz", "nrt", "ng", "nrfg", "j", "l", "i", "s"})


@lru_cache(maxsize=1)
def _non_name_words() -> frozenset[str]:
    """Short words jieba's dictionary tags as verbs, prepositions, pronouns, … (never a place's name part)."""
    path = Path(jieba.__file__).parent / "dict.txt"
    out = set()
    with path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and len(parts[0]) <= 4 and parts[2] not in _NAME_TAGS:
                out.add(parts[0])
    return frozenset(out)


def _can_name(word: str) -> bool:
    """Whether ``word`` may be the name before a bare suffix word (先锋 + 街道, not 进入 + 小区)."""
    if len(word) < 2 or not _CJK.match(word) or word in NOT_A_NAME or _GENERIC_RE.search(word):
        return False
    return word not in _non_name_words() and word_freq(word) <= COMMON_FREQ


def _unit_level(match: re.Match[str]) -> str:
    if match.group(0) == "西地省":
        return "province"
    digits, kind = match.group(1), match.group(2)
    if kind == "市":
        return "county" if digits else "city"
    return "district" if kind == "区" else "county"


#: SUFFIX_LEVEL by last character (order kept): most words end in no suffix character, and the
#: places component asks this of every word of every message.
_BY_LAST: dict[str, tuple[tuple[str, str], ...]] = {
    last: tuple(p for p in SUFFIX_LEVEL if p[0][-1] == last) for last in {s[-1] for s, _ in SUFFIX_LEVEL}}


def _suffix(word: str) -> tuple[str, str] | None:
    for suffix, level in _BY_LAST.get(word[-1:], ()):
        if word.endswith(suffix):
            return suffix, level
    return None


def _clean_name(word: str, suffix: str) -> str:
    """``先锋街道办事处`` → ``先锋街道`` (the office is a department, the place is the street)."""
    if suffix in ("街道办事处", "街道办"):
        return word[: len(word) - len(suffix)] + "街道"
    return word


Spans = list[tuple[str, int, int]]


def token_spans(text: str, tokens: list[str]) -> Spans | None:
    """``(word, start, end)`` for tokens cut from ``text`` (whitespace dropped); None if they do not fit."""
    spans: Spans = []
    pos = 0
    for word in tokens:
        i = text.find(word, pos)
        if i < 0:
            return None
        spans.append((word, i, i + len(word)))
        pos = i + len(word)
    return spans


def find_places(text: str, on: str = "text", spans: Spans | None = None) -> list[dict[str, Any]]:
    """Every place mention in ``text``: ``{name, level, start, end, on, how}``, in text order.

    ``spans`` are the words of ``text`` with offsets when the segmenter already cut it (saves a
    second segmentation pass); otherwise the text is segmented here.
    """
    found: list[dict[str, Any]] = []
    taken: set[int] = set()
    for m in _UNIT.finditer(text):
        found.append({"name": m.group(0), "level": _unit_level(m), "start": m.start(), "end": m.end(), "on": on,
                      "how": "pattern"})
        taken.update(range(m.start(), m.end()))
    tokens = spans if spans is not None else list(get_tokenizer().tokenize(text))
    for i, (word, start, _end) in enumerate(tokens):
        if word[-1:] not in _BY_LAST:  # most words end in no suffix character: skip them first (same result)
            continue
        if start in taken or not _CJK.match(word):
            continue
        hit = _suffix(word)
        if hit is None:
            continue
        suffix, level = hit
        if (word not in GENERIC and len(word) >= len(suffix) + 2 and word[: -len(suffix)] not in NOT_A_NAME
                and not _GENERIC_RE.search(word)):
            name = _clean_name(word, suffix)
            found.append({"name": name, "level": level, "start": start, "end": start + len(name), "on": on,
                          "how": "word"})
            continue
        if word == suffix and i > 0:  # a bare suffix: join it to a name just before it
            prev, pstart, pend = tokens[i - 1]
            if pend == start and pstart not in taken and _can_name(prev):
                name = _clean_name(prev + word, suffix)
                found.append({"name": name, "level": level, "start": pstart, "end": pstart + len(name), "on": on,
                              "how": "name+suffix"})
    found.sort(key=lambda p: p["start"])
    return found


def extract_places(doc: Doc) -> list[dict[str, Any]]:
    """Places in the title then the body of ``doc`` (reusing ``doc.tokens`` when the segmenter ran)."""
    title = doc.title or ""
    full = doc_text(doc)
    spans = token_spans(full, doc.tokens) if doc.tokens is not None else None
    if spans is None or title != title.strip():
        return [*find_places(title, "title"), *find_places(doc.text, "text")]
    if full == doc.text:  # the body already starts with the title: cut the title alone (short)
        return [*find_places(title, "title"), *find_places(doc.text, "text", spans)]
    cut_at = len(title) + 1  # full == title + "\n" + text
    title_spans = [s for s in spans if s[2] <= len(title)]
    text_spans = [(w, a - cut_at, b - cut_at) for w, a, b in spans if a >= cut_at]
    return [*find_places(title, "title", title_spans), *find_places(doc.text, "text", text_spans)]


@registry.register(NAME, version=VERSION, stage="analyze", assigns=("results.places", "meta.district"))
class Places:
    """Place names (A市, A2区, K8县, …街道, …社区, …路, …小区) with offsets; sets meta["district"]."""

    name = NAME
    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        places = extract_places(doc)
        hows = sorted({p["how"] for p in places})
        names = "、".join(dict.fromkeys(p["name"] for p in places))
        reason = f"{len(places)} mention(s) by {', '.join(hows)}: {names}" if places else "no place name found"
        doc.add_result(Result(NAME, VERSION, "places", places, 1.0 if places else None, reason[:500]))
        district = next((p for p in places if p["level"] in ("district", "county")), None)
        city = next((p for p in places if p["level"] == "city"), None)
        if city is not None:
            doc.meta.setdefault("city", city["name"])
        if district is not None:
            doc.meta["district"] = district["name"]
            doc.add_result(Result(NAME, VERSION, "district", district["name"], 1.0,
                                  f"first district/county named ({district['on']} {district['start']})"))
        return doc
