"""Words, places, entity keys and affected groups of one message — computed once, shared by every guide step.

Why this shape: segmentation is the dominant cost (jieba is ~0.5k messages/s here), so each message is
cut exactly once; the place analyzer (``massline.analyze.places.find_places``) reuses those word spans so
that ``魅力之城小区`` or ``劳动东路`` stay one token instead of ``魅力 / 之城 / 小区``. Entity keys (a fine
place or an institution such as ``经济学院``) are what lets the issue step keep "one problem at one place"
together even when the wording differs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from massline.analyze.places import find_places
from massline.analyze.segment import get_tokenizer
from massline.guide.corpus import GuideMessage

#: The body is long and repetitive; its head carries the issue (keeps segmentation bounded).
MAX_BODY_CHARS = 300
MAX_BODY_KEYS = 3
FINE_LEVELS = frozenset({"estate", "community", "village", "road", "street", "town"})
UNIT_LEVELS = frozenset({"province", "city", "district", "county"})
#: Suffixes of institutions whose name identifies an issue's place (a school, a company, a hospital …).
ORG_SUFFIXES = ("学院", "大学", "中学", "小学", "学校", "幼儿园", "医院", "公司", "集团", "工厂", "花园", "广场",
                "市场", "公园", "家园", "公寓", "大厦", "新城", "物业", "车贷", "楼盘", "苑", "城")
_ESTATE_TAIL = re.compile(r"(小区|社区|花园|家园|公寓|新城|楼盘|项目)$")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_UNIT_TOKEN = re.compile(r"^[A-Z]\d{0,2}[市区县]$")

#: Function words and hotline boilerplate ("您好，领导…", "希望相关部门…") that say nothing about the issue.
STOPWORDS = frozenset("""
您好 你好 领导 尊敬 请问 谢谢 感谢 希望 相关 部门 有关 我们 你们 他们 我们的 自己 这个 那个 一个 这些 那些 这里
那里 现在 目前 已经 没有 还是 还有 就是 但是 因为 所以 如果 虽然 而且 并且 或者 以及 可以 能够 不能 不会 什么 怎么
为什么 如何 是否 问题 情况 进行 反映 关于 要求 请求 建议 咨询 投诉 举报 处理 解决 市民 群众 老百姓 本人 我家 大家
其中 对于 由于 通过 之后 之前 以后 以前 时候 时间 今年 去年 每天 一直 一下 一些 很多 非常 特别 严重 多次 多年 不是
这样 那样 这么 那么 什么样 及时 尽快 给予 得到 出现 造成 导致 存在 发现 认为 表示 知道 看到 告诉 回复 答复 您好！
政府 相关部门 有关部门 工作人员 重视 关注 帮助 帮忙 解答 回应 落实 是不是 有没有 能否 可否 为何 到底 实在 真的 已
的 了 是 在 和 与 及 或 也 都 就 还 又 被 把 让 给 对 向 从 到 为 以 等 等等 啊 吗 呢 吧 呀 哦 嘛 之 其 该 此 这 那
""".split())

#: Groups of people an issue can be about (the 人群 of 地点/人群).
PEOPLE = ("业主", "家长", "学生", "职工", "员工", "教师", "老师", "村民", "居民", "农民工", "商户", "司机", "患者",
          "老人", "退休人员", "残疾人", "租户", "乘客", "考生", "孩子", "民工", "工人", "投资人", "出借人", "购房者",
          "消费者", "环卫工", "护士", "医生", "农户", "贫困户", "失业人员", "毕业生", "新生", "小学生")
_PEOPLE_RE = re.compile("|".join(sorted(PEOPLE, key=len, reverse=True)))


@dataclass(slots=True)
class Features:
    """What the guide needs from one message's text."""

    words: list[str]  # content words of title + body head, places kept whole (district units excluded)
    title_words: list[str]
    places: list[tuple[str, str]] = field(default_factory=list)  # (name, level), first mention order, unique
    keys: list[str] = field(default_factory=list)  # entity keys of the title: fine places and institutions
    body_keys: list[str] = field(default_factory=list)  # the first fine places of the body (weaker evidence)
    people: list[str] = field(default_factory=list)
    district: str | None = None  # first district/county unit (A5区, K8县)
    city: str | None = None


def _core(name: str) -> str:
    """``魅力之城小区`` → ``魅力之城`` (so ``魅力之城商铺`` and ``魅力之城小区`` share a key)."""
    stripped = _ESTATE_TAIL.sub("", name)
    return stripped if len(stripped) >= 2 else name


def _content(word: str) -> bool:
    return len(word) >= 2 and word not in STOPWORDS and bool(_CJK.match(word))


def _words_with_places(text: str) -> tuple[list[str], list[dict[str, object]]]:
    """Content words of ``text`` with every place span replaced by its whole name."""
    spans = list(get_tokenizer().tokenize(text))
    places = find_places(text, spans=spans)
    cover: dict[int, tuple[str, int]] = {int(str(p["start"])): (str(p["name"]), int(str(p["end"]))) for p in places}
    words: list[str] = []
    skip_until = -1
    for word, start, end in spans:
        if start < skip_until:
            continue
        if start in cover:
            name, stop = cover[start]
            if not _UNIT_TOKEN.match(name) and name not in ("西地省",):
                words.append(name)
            skip_until = stop
            continue
        if end <= skip_until:
            continue
        if _content(word):
            words.append(word)
    return words, places


#: Institution words that name a kind, not one institution (``有限公司``): the word before them is the name.
GENERIC_ORGS = frozenset("""有限公司 股份有限公司 有限责任公司 分公司 子公司 总公司 科技公司 物业公司 开发公司
房地产公司 技术学院 职业技术学院 职业学院 配套幼儿园 普惠性幼儿园 公办幼儿园 民办幼儿园 公立幼儿园 私立幼儿园
幼儿园 小学 中学 大学 学校 医院 公园 广场 市场 花园 家园 公寓 大厦 新城 物业 楼盘 农贸市场""".split())


def _org_keys(words: list[str]) -> list[str]:
    out = []
    for i, w in enumerate(words):
        for suffix in ORG_SUFFIXES:
            if w.endswith(suffix):
                if w in GENERIC_ORGS:
                    prev = words[i - 1] if i > 0 else ""
                    name = prev + w if len(prev) >= 2 and prev + w not in GENERIC_ORGS else ""
                else:
                    name = w if len(w) > len(suffix) + 1 else (words[i - 1] + w if i > 0 else "")
                    name = "" if name in GENERIC_ORGS else name
                if len(name) >= len(suffix) + 2:
                    out.append(_core(name))
                break
    return out


def features(message: GuideMessage) -> Features:
    """Segment ``message`` once and derive everything the guide uses from it."""
    title = message.title or ""
    body = message.body[:MAX_BODY_CHARS]
    title_words, title_places = _words_with_places(title) if title else ([], [])
    body_words, body_places = _words_with_places(body)
    places: dict[str, str] = {}
    for p in [*title_places, *body_places]:
        places.setdefault(str(p["name"]), str(p["level"]))
    district = next((n for n, lv in places.items() if lv in ("district", "county")), None)
    city = next((n for n, lv in places.items() if lv == "city"), None)
    title_fine = [str(p["name"]) for p in title_places if p["level"] in FINE_LEVELS]
    keys = list(dict.fromkeys([*(_core(n) for n in title_fine), *_org_keys(title_words)]))
    body_fine = [str(p["name"]) for p in body_places if p["level"] in FINE_LEVELS]
    body_keys = [k for k in dict.fromkeys(_core(n) for n in body_fine) if k not in keys][:MAX_BODY_KEYS]
    text = f"{title} {body}"
    people = list(dict.fromkeys(_PEOPLE_RE.findall(text)))
    return Features(words=[*title_words, *title_words, *body_words], title_words=title_words,
                    places=list(places.items()), keys=keys, body_keys=body_keys, people=people, district=district,
                    city=city)


@lru_cache(maxsize=1)
def warm() -> None:
    """Load jieba's dictionary once (about a second), so timings measure the work, not the load."""
    get_tokenizer().lcut("预热")
