"""RSS and Atom feeds (feedparser): one record per entry, numbered "entry N"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import feedparser

from massline.core.errors import InputError
from massline.ingest.records import RawRecord, ReadItem


def _entry_fields(entry: Any) -> tuple[dict[str, Any], str]:
    body, content_type = "", "text/plain"
    contents = entry.get("content") or []
    if contents:
        body = contents[0].get("value", "")
        content_type = contents[0].get("type", "text/html") or "text/html"
    elif entry.get("summary"):
        body = entry.get("summary", "")
        content_type = (entry.get("summary_detail") or {}).get("type", "text/html") or "text/html"
    fields = {
        "id": entry.get("id") or entry.get("link") or "",
        "title": entry.get("title", ""),
        "body": body,
        "link": entry.get("link", ""),
        "published": entry.get("published") or entry.get("updated") or "",
        "author": entry.get("author", ""),
    }
    return fields, "text/html" if "html" in content_type else "text/plain"


def read_feed(data: bytes, origin: str) -> Iterator[ReadItem]:
    parsed = feedparser.parse(data)
    if not parsed.entries:
        problem = f" ({parsed.get('bozo_exception')})" if parsed.get("bozo") else ""
        raise InputError(f"no feed entries found{problem}", origin=origin)
    for n, entry in enumerate(parsed.entries, start=1):
        fields, content_type = _entry_fields(entry)
        yield RawRecord(f"entry {n}", fields, content_type=content_type)
