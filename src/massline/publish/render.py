"""Markdown → sanitised HTML for posts (pages, feeds, e-mail, webhooks).

Why two steps: markdown-it (CommonMark, raw HTML switched off) decides the structure, and nh3
(the Ammonia sanitiser) then keeps only a short allow-list of tags and attributes and only
http(s)/mailto links — so neither a pasted ``<script>`` nor a ``javascript:`` link can reach
a reader, whatever the parser lets through. Personal data is masked before rendering by the
caller (:func:`massline.publish.posts.public_view`).
"""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "strong", "em", "del", "blockquote", "code", "pre",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "img",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table") \
        .enable("strikethrough")


def sanitize(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes; links get ``rel="noopener nofollow"``."""
    return nh3.clean(html, tags=set(ALLOWED_TAGS), attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
                     url_schemes=set(URL_SCHEMES), link_rel="noopener nofollow")


def render_markdown(text: str) -> str:
    """The post body as safe HTML."""
    return sanitize(_parser().render(text or ""))


def plain_summary(text: str, limit: int = 140) -> str:
    """A one-paragraph plain-text summary (feeds, e-mail, lists): tags dropped, whitespace collapsed."""
    plain = nh3.clean(render_markdown(text), tags=set())
    plain = " ".join(html.unescape(plain).split())
    return plain if len(plain) <= limit else plain[: limit - 1] + "…"
