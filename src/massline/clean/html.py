"""``clean.html``: HTML → main text and metadata with trafilatura (no network).

Why trafilatura: it is the maintained, evaluated boilerplate remover (navigation, footers,
comments out; paragraphs kept) and reads title/date/author/site name/canonical link from the
page head in the same pass. ``favor_precision`` because a missed menu line costs us more
(it pollutes classification of a short message) than a missed side paragraph. It only runs
for ``text/html`` docs — plain messages skip it entirely, which keeps cleaning fast.

Extraction never fetches anything: trafilatura works on the string we give it. When it finds
no main text (tiny or odd pages) we fall back to its plain ``html2txt``; when even that is
empty the body becomes ``""`` and a ``no_text`` flag says why — the original HTML is kept in
``Doc.original`` either way. A leading line equal to the title is dropped (it is in ``title``).
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import trafilatura

from massline.clean._base import Cleaner
from massline.core.types import Doc
from massline.pipeline.registry import registry

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_META_AUTHOR = re.compile(r"""<meta\s+[^>]*name=["']author["'][^>]*content=["']([^"']+)["']""", re.IGNORECASE)
#: trafilatura document attribute → ``doc.meta`` key.
_META_FIELDS: dict[str, str] = {
    "date": "date",
    "author": "author",
    "sitename": "sitename",
    "url": "canonical_url",
    "hostname": "hostname",
    "description": "description",
}


def is_html(doc: Doc) -> bool:
    return doc.content_type.split(";")[0].strip().lower() in HTML_TYPES


def extract(markup: str) -> tuple[str, dict[str, Any], str | None]:
    """``(main text, metadata, title)`` of an HTML string."""
    meta: dict[str, Any] = {}
    try:
        result = trafilatura.bare_extraction(
            markup, with_metadata=True, favor_precision=True, include_comments=False, include_tables=True
        )
    except Exception as exc:  # a malformed page must not abort the batch; fall back to plain text below
        result = None
        meta["extraction_error"] = f"{type(exc).__name__}: {exc}"[:200]
    title: str | None = None
    text = ""
    if result is not None:
        data: dict[str, Any] = result if isinstance(result, dict) else result.as_dict()
        text = data.get("text") or ""
        title = data.get("title") or None
        for attr, key in _META_FIELDS.items():
            value = data.get(attr)
            if value:
                meta[key] = str(value)
    if "author" not in meta:
        m = _META_AUTHOR.search(markup)
        if m:
            meta["author"] = html_lib.unescape(m.group(1)).strip()
    if "sitename" in meta:
        meta.setdefault("source", meta["sitename"])
    if not text.strip():
        try:
            text = trafilatura.html2txt(markup) or ""
        except Exception:  # same reason: an unparsable page becomes an empty body with a flag
            text = ""
        meta["extraction"] = "fallback"
    return text.strip(), meta, title


@registry.register(
    "clean.html", version="1", stage="clean", requires=("text", "content_type"), assigns=("text", "title", "meta")
)
class Html(Cleaner):
    """HTML → main text (boilerplate, navigation out) + title/date/author/source/canonical link; see module doc."""

    def clean(self, doc: Doc) -> Doc:
        if not is_html(doc):
            return doc
        text, meta, title = extract(doc.text)
        for key, value in meta.items():
            doc.meta.setdefault(key, value)
        if title and not doc.title:
            doc.title = title
        if title:
            first, _, rest = text.partition("\n")
            if first.strip() == title.strip():
                text = rest.strip()
        if not text:
            self.flag(doc, "no_text", "the HTML page has no readable text; original kept")
        else:
            how = "plain-text fallback (no main content found)" if meta.get("extraction") == "fallback" else "main text"
            self.flag(doc, "html_extracted", f"HTML → {how}: {len(doc.text)} → {len(text)} characters")
        doc.text = text
        return doc
