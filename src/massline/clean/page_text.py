"""``clean.page_text``: take a web page saved as plain text apart — title, metadata line, source link, navigation.

Pages copied as text (the seed file, RSS bodies, trafilatura output) keep their furniture:
a title line ``【羊城晚報】走好網上群眾路線…``, a byline ``稿件來源:… 作者:… 編輯:… 發布日期:…``,
``原文鏈接:https://…`` and navigation words (``媒體中大`` at the top, ``新聞投稿`` at the end).
Citizen messages have none of this, and they must come out untouched, so the component only
acts on text that *proves* it is a page: at least three non-empty lines and either a
metadata line (≥ 2 ``key:value`` pairs from the byline vocabulary) or a source-link line.

On a page it

* parses the metadata line into ``meta`` (source, source_date, edition, author, editor,
  reviewer, date as ISO 8601, views) and removes it (flag ``metadata_line``);
* moves the source link into ``meta["canonical_url"]`` and removes it (``source_link_line``);
* takes the line above the byline (or a ``【…】`` line near the top) as the title, strips a
  ``【source】`` prefix into ``meta["title_prefix"]`` (and ``meta["source"]`` if unknown), and sets
  ``doc.title`` when intake gave none (``title_line``);
* removes navigation lines only *outside* the article — above the title and after the last
  prose paragraph — so in-article section headings (善用人才组织群众) stay. A navigation line is
  short (≤ 10 characters, letters only, no punctuation) or matches a boilerplate pattern
  (首页, 返回顶部, 上一篇, 版权所有, ICP备 …) (``navigation_line``).

Keys are matched on the simplified line, so traditional pages work the same way.
"""

from __future__ import annotations

import re

from massline.clean._base import Cleaner
from massline.clean._text import SENTENCE_END, Line, lines, remove_lines, to_simplified
from massline.core.types import Doc
from massline.pipeline.registry import registry

#: Byline vocabulary (simplified), longest first so 稿件来源 wins over 来源.
META_KEYS: dict[str, str] = {
    "稿件来源": "source",
    "文章来源": "source",
    "信息来源": "source",
    "新闻来源": "source",
    "来源": "source",
    "作者": "author",
    "记者": "author",
    "撰稿": "author",
    "通讯员": "correspondent",
    "责任编辑": "editor",
    "编辑": "editor",
    "责编": "editor",
    "审核": "reviewer",
    "审校": "reviewer",
    "终审": "reviewer",
    "审稿": "reviewer",
    "发布日期": "date",
    "发布时间": "date",
    "发表时间": "date",
    "更新时间": "date",
    "日期": "date",
    "时间": "date",
    "阅读量": "views",
    "阅读次数": "views",
    "浏览量": "views",
    "浏览次数": "views",
    "点击量": "views",
    "点击数": "views",
    "阅读": "views",
}
_META_KEY = re.compile("(" + "|".join(sorted(map(re.escape, META_KEYS), key=len, reverse=True)) + r")\s*[:：]")
_LINK = re.compile(
    r"^\s*(?:原文链接|原文地址|原文网址|本文链接|文章链接|原始链接|来源链接|原文)\s*[:：]\s*(https?://\S+)\s*$"
)
_DATE = re.compile(
    r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?"  # date
    r"(?:\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?"  # optional time
)
_EDITION = re.compile(r"第\s*[A-Za-z]?\d+\s*版")
_TITLE_PREFIX = re.compile(r"^\s*【([^】]{1,20})】\s*")
_BOILERPLATE = re.compile(
    r"首页|返回顶部|回到顶部|返回首页|上一篇|下一篇|打印本页|关闭窗口|【打印】|【关闭】|分享到|扫一扫|版权所有|copyright|©"
    r"|icp备|网站地图|联系我们|关于我们|设为首页|加入收藏|字号|当前位置|您的位置|新闻投稿|网站声明|免责声明",
    re.IGNORECASE,
)
_LETTERS_ONLY = re.compile(r"^[\w\s]+$")
_BREADCRUMB = re.compile(r"\S\s*[>»›]\s*\S")


def parse_metadata_line(probe: str) -> dict[str, object]:
    """``meta`` entries from a byline such as ``来源:羊城晚报 2023-12-22 第A08版 作者:周寒 …``."""
    found = list(_META_KEY.finditer(probe))
    meta: dict[str, object] = {}
    for i, m in enumerate(found):
        key = META_KEYS[m.group(1)]
        value = probe[m.end() : found[i + 1].start() if i + 1 < len(found) else len(probe)].strip()
        if not value or key in meta:
            continue
        if key == "date":
            iso = iso_date(value)
            if iso:
                meta["date"] = iso
        elif key == "views":
            digits = re.sub(r"\D", "", value)
            if digits:
                meta["views"] = int(digits)
        elif key == "source":
            edition = _EDITION.search(value)
            if edition:
                meta["edition"] = re.sub(r"\s+", "", edition.group())
            date = iso_date(value)
            if date:
                meta["source_date"] = date
            name = _EDITION.sub("", _DATE.sub("", value)).strip()
            if name:
                meta["source"] = name.split()[0]
        else:
            meta[key] = value
    return meta


def iso_date(value: str) -> str | None:
    """``2023-12-23`` (or ``2023-12-23T10:05:00``) from the common Chinese date spellings."""
    m = _DATE.search(value)
    if not m:
        return None
    y, mo, d, hh, mm, ss = m.groups()
    date = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
    return f"{date}T{int(hh):02d}:{int(mm):02d}:{int(ss or 0):02d}" if hh else date


def is_metadata_line(probe: str) -> bool:
    keys = {META_KEYS[m.group(1)] for m in _META_KEY.finditer(probe)}
    return len(keys) >= 2 and len(probe) <= 300 and not probe.rstrip().endswith("。")


def is_navigation(probe: str) -> bool:
    """A short menu word, a breadcrumb, or a boilerplate phrase (see module doc)."""
    text = probe.strip()
    if not text:
        return False
    if len(text) <= 10 and _LETTERS_ONLY.match(text) and not any(c.isdigit() for c in text):
        return True
    return len(text) <= 40 and bool(_BOILERPLATE.search(text) or _BREADCRUMB.search(text))


def is_prose(line: Line) -> bool:
    text = line.stripped
    return len(text) >= 30 or (len(text) >= 8 and text[-1] in SENTENCE_END)


@registry.register("clean.page_text", version="1", stage="clean", requires=("text",), assigns=("text", "title", "meta"))
class PageText(Cleaner):
    """Split a page saved as text into title, metadata, source link and body; drop navigation; see module doc."""

    def clean(self, doc: Doc) -> Doc:
        text = doc.text
        if text.count("\n") < 2 or (":" not in text and "：" not in text):
            return doc
        all_lines = list(lines(text))
        probes = [to_simplified(ln.stripped) for ln in all_lines]
        content = [i for i, p in enumerate(probes) if p]
        meta_idx = next((i for i in content if is_metadata_line(probes[i])), None)
        link_idx = [i for i in content if _LINK.match(probes[i])]
        if len(content) < 3 or (meta_idx is None and not link_idx):
            return doc
        doc.meta["layout"] = "page"
        drop: set[int] = set()
        if meta_idx is not None:
            for key, value in parse_metadata_line(probes[meta_idx]).items():
                doc.meta.setdefault(key, value)
            drop.add(meta_idx)
            ln = all_lines[meta_idx]
            self.flag(
                doc,
                "metadata_line",
                "page byline parsed into meta and removed",
                start=ln.start,
                end=ln.end,
                text=ln.text,
            )
        for i in link_idx:
            m = _LINK.match(probes[i])
            assert m is not None
            doc.meta.setdefault("canonical_url", m.group(1))
            drop.add(i)
            ln = all_lines[i]
            self.flag(
                doc,
                "source_link_line",
                "source link moved to meta.canonical_url",
                start=ln.start,
                end=ln.end,
                text=ln.text,
            )
        title_idx = self._title_index(all_lines, probes, content, meta_idx)
        if title_idx is not None:
            drop.add(title_idx)
            self._take_title(doc, all_lines[title_idx])
        head_end = title_idx if title_idx is not None else (meta_idx if meta_idx is not None else 0)
        prose = [i for i in content if i not in drop and is_prose(all_lines[i])]
        tail_start = (prose[-1] + 1) if prose else len(all_lines)
        for i in content:
            if i in drop or not (i < head_end or i >= tail_start) or not is_navigation(probes[i]):
                continue
            drop.add(i)
            ln = all_lines[i]
            where = "above the title" if i < head_end else "after the article"
            self.flag(
                doc, "navigation_line", f"navigation/boilerplate line {where}", start=ln.start, end=ln.end, text=ln.text
            )
        doc.text = remove_lines(text, drop)
        return doc

    @staticmethod
    def _title_index(all_lines: list[Line], probes: list[str], content: list[int], meta_idx: int | None) -> int | None:
        def title_like(i: int) -> bool:
            p = probes[i]
            return 4 <= len(p) <= 100 and p[-1] not in SENTENCE_END and not is_navigation(p)

        if meta_idx is not None:
            above = [i for i in content if i < meta_idx]
            if above and title_like(above[-1]):
                return above[-1]
        for i in content[:6]:
            if _TITLE_PREFIX.match(probes[i]) and title_like(i):
                return i
        return None

    def _take_title(self, doc: Doc, line: Line) -> None:
        title = line.stripped
        prefix = _TITLE_PREFIX.match(title)
        if prefix:
            doc.meta["title_prefix"] = prefix.group(1)
            doc.meta.setdefault("source", to_simplified(prefix.group(1)))
            title = title[prefix.end() :].strip()
        if doc.title:
            doc.meta.setdefault("page_title", title)
        else:
            doc.title = title
        self.flag(
            doc, "title_line", "page title line moved to the title", start=line.start, end=line.end, text=line.text
        )
