"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the published posts (all, or one topic / district).

Stable identifiers: every entry's GUID / id is a tag URI built from the site's host, the post's
creation date and its id (``tag:example.org,2026-12-02:post/7``) — it never changes when the
post is edited, so readers do not show an edit as a new item. Dates carry their offset
(Beijing time, ``+08:00``): RFC 822 in RSS, RFC 3339 in Atom and JSON Feed. Texts are the public
view (masked unless a reviewer waived the findings) rendered to sanitised HTML.

:func:`check_feed` parses a feed back with feedparser and lists what is missing — the same check
the tests and ``massline feeds check`` run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache
from typing import Any, Final
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree as ET

import feedparser

from massline.db.models.publish import Post
from massline.publish.posts import KIND_NAMES, public_view
from massline.publish.render import plain_summary, render_markdown
from massline.serve.metrics import LOCAL_TZ
from massline.serve.sla import as_utc

FORMATS: Final = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8",
                  "json": "application/feed+json; charset=utf-8"}
SITE_TITLE: Final = "massline 信息发布"
ATOM_NS: Final = "http://www.w3.org/2005/Atom"


def _local(value: datetime) -> datetime:
    return as_utc(value).astimezone(LOCAL_TZ)


def guid(post: Post, base_url: str) -> str:
    host = urlsplit(base_url).hostname or "localhost"
    return f"tag:{host},{_local(post.created_at).date().isoformat()}:post/{post.id}"


def post_path(post: Post) -> str:
    return f"/posts/{post.id}"


@lru_cache(maxsize=2048)
def _rendered(body: str) -> tuple[str, str]:
    """(summary, sanitised HTML) of a public body; keyed by the text itself, so an edit is never served stale."""
    return plain_summary(body), render_markdown(body)


def entry_of(post: Post, base_url: str = "") -> dict[str, Any]:
    """The public view of a post (feeds, webhooks, e-mail): masked texts, sanitised HTML, local dates."""
    published = post.published_at or post.updated_at
    title, body = public_view(post)
    summary, html = _rendered(body)
    return {
        "id": post.id, "kind": post.kind, "kind_name": KIND_NAMES.get(post.kind, post.kind),
        "title": title, "summary": summary, "content_html": html,
        "topics": list(post.topics or []), "districts": list(post.districts or []),
        "url": base_url.rstrip("/") + post_path(post), "path": post_path(post),
        "published": _local(published).isoformat(), "updated": _local(post.updated_at).isoformat(),
        "revision": post.revision,
    }


@dataclass(frozen=True)
class FeedScope:
    """Which posts a feed holds and how it names itself."""

    topic: str | None = None
    district: str | None = None

    @property
    def title(self) -> str:
        parts = [p for p in (self.topic, self.district) if p]
        return SITE_TITLE + (" · " + " · ".join(parts) if parts else "")

    def query(self) -> str:
        q = {k: v for k, v in (("topic", self.topic), ("district", self.district)) if v}
        return "?" + urlencode(q) if q else ""


def _self_url(base_url: str, fmt: str, scope: FeedScope) -> str:
    return f"{base_url.rstrip('/')}/feeds/posts.{fmt}{scope.query()}"


def _updated(posts: Sequence[Post], fallback: datetime) -> datetime:
    return max((p.published_at or p.updated_at for p in posts), default=fallback, key=as_utc)


def build_rss(posts: Sequence[Post], base_url: str, scope: FeedScope, now: datetime) -> bytes:
    ET.register_namespace("atom", ATOM_NS)
    rss = ET.Element("rss", {"version": "2.0"})
    ch = ET.SubElement(rss, "channel")
    ET.SubElement(ch, "title").text = scope.title
    ET.SubElement(ch, "link").text = base_url.rstrip("/") + "/posts"
    ET.SubElement(ch, "description").text = "通知公告、政策解读、公开答复与更正说明"
    ET.SubElement(ch, "language").text = "zh-CN"
    ET.SubElement(ch, "lastBuildDate").text = format_datetime(_local(_updated(posts, now)))
    ET.SubElement(ch, f"{{{ATOM_NS}}}link", {"href": _self_url(base_url, "rss", scope), "rel": "self",
                                               "type": "application/rss+xml"})
    for post in posts:
        e = entry_of(post, base_url)
        item = ET.SubElement(ch, "item")
        ET.SubElement(item, "title").text = e["title"]
        ET.SubElement(item, "link").text = e["url"]
        ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = guid(post, base_url)
        ET.SubElement(item, "pubDate").text = format_datetime(_local(post.published_at or post.updated_at))
        ET.SubElement(item, "description").text = e["content_html"]
        for name in (*e["topics"], *e["districts"]):
            ET.SubElement(item, "category").text = name
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + bytes(ET.tostring(rss, encoding="utf-8"))


def build_atom(posts: Sequence[Post], base_url: str, scope: FeedScope, now: datetime) -> bytes:
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-CN"})
    host = urlsplit(base_url).hostname or "localhost"
    sub(feed, "id", f"tag:{host},2026:feeds/posts{scope.query()}")
    sub(feed, "title", scope.title)
    sub(feed, "updated", _local(_updated(posts, now)).isoformat())
    sub(feed, "link", href=_self_url(base_url, "atom", scope), rel="self", type="application/atom+xml")
    sub(feed, "link", href=base_url.rstrip("/") + "/posts", rel="alternate", type="text/html")
    author = sub(feed, "author")
    sub(author, "name", SITE_TITLE)
    for post in posts:
        e = entry_of(post, base_url)
        entry = sub(feed, "entry")
        sub(entry, "id", guid(post, base_url))
        sub(entry, "title", e["title"])
        sub(entry, "link", href=e["url"], rel="alternate", type="text/html")
        sub(entry, "published", e["published"])
        sub(entry, "updated", e["updated"])
        sub(entry, "summary", e["summary"])
        sub(entry, "content", e["content_html"], type="html")
        for name in (*e["topics"], *e["districts"]):
            sub(entry, "category", term=name)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + bytes(ET.tostring(feed, encoding="utf-8"))


def build_json(posts: Sequence[Post], base_url: str, scope: FeedScope, now: datetime) -> bytes:
    items = []
    for post in posts:
        e = entry_of(post, base_url)
        items.append({"id": guid(post, base_url), "url": e["url"], "title": e["title"],
                      "content_html": e["content_html"], "summary": e["summary"],
                      "date_published": e["published"], "date_modified": e["updated"],
                      "tags": [*e["topics"], *e["districts"]], "language": "zh-CN"})
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": scope.title,
           "home_page_url": base_url.rstrip("/") + "/posts", "feed_url": _self_url(base_url, "json", scope),
           "language": "zh-CN", "authors": [{"name": SITE_TITLE}], "items": items}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


BUILDERS: Final = {"rss": build_rss, "atom": build_atom, "json": build_json}


@dataclass
class FeedCheck:
    """What feedparser made of a feed, and what a valid feed of its format must have but lacks."""

    format: str
    entries: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_json(data: bytes) -> FeedCheck:
    try:
        doc = json.loads(data)
    except ValueError as exc:
        return FeedCheck("json", 0, [f"not JSON: {exc}"])
    problems = [f"missing top-level {k!r}" for k in ("version", "title", "items") if k not in doc]
    if not str(doc.get("version", "")).startswith("https://jsonfeed.org/version/1"):
        problems.append("version is not a JSON Feed 1.x URL")
    ids: set[str] = set()
    for i, item in enumerate(doc.get("items") or []):
        if not item.get("id"):
            problems.append(f"item {i}: missing id")
        if not (item.get("content_html") or item.get("content_text")):
            problems.append(f"item {i}: needs content_html or content_text")
        if item.get("id") in ids:
            problems.append(f"item {i}: duplicate id")
        ids.add(str(item.get("id")))
        if item.get("date_published"):
            try:
                if datetime.fromisoformat(item["date_published"]).tzinfo is None:
                    problems.append(f"item {i}: date_published without an offset")
            except ValueError:
                problems.append(f"item {i}: date_published is not RFC 3339")
    return FeedCheck("json", len(doc.get("items") or []), problems)


def check_feed(data: bytes, content_type: str = "") -> FeedCheck:
    """Parse ``data`` back (feedparser for XML, the JSON Feed rules for JSON); problems found."""
    if "json" in content_type or data.lstrip().startswith(b"{"):
        return _check_json(data)
    parsed = feedparser.parse(data)
    version = str(parsed.get("version") or "")
    fmt = "rss" if version.startswith("rss") else "atom" if version.startswith("atom") else version or "unknown"
    problems: list[str] = []
    if parsed.get("bozo"):
        problems.append(f"not well-formed: {parsed.get('bozo_exception')}")
    if fmt not in ("rss", "atom"):
        problems.append(f"not RSS 2.0 or Atom 1.0 (feedparser says {version or 'nothing'!r})")
    feed = parsed.get("feed", {})
    if not feed.get("title"):
        problems.append("feed has no title")
    if fmt == "atom" and not feed.get("id"):
        problems.append("Atom feed has no id")
    ids: set[str] = set()
    for i, entry in enumerate(parsed.get("entries", [])):
        if not entry.get("title"):
            problems.append(f"entry {i}: no title")
        if not entry.get("link"):
            problems.append(f"entry {i}: no link")
        ident = entry.get("id")
        if not ident:
            problems.append(f"entry {i}: no guid/id")
        elif ident in ids:
            problems.append(f"entry {i}: duplicate guid/id {ident}")
        ids.add(str(ident))
        if not (entry.get("published_parsed") or entry.get("updated_parsed")):
            problems.append(f"entry {i}: no parseable date")
    return FeedCheck(fmt, len(parsed.get("entries", [])), problems)
