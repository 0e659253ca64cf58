"""One small reader per input format, chosen by file extension (or by sniffing the bytes).

Every reader is ``(data: bytes, origin: str) -> Iterator[RawRecord | ReadProblem]``; the line-oriented
ones (CSV, TSV, JSON Lines) also read a decoded text stream (``STREAM_READERS``).
"""

from __future__ import annotations

from pathlib import PurePath

from massline.ingest.readers import csv_reader, feed_reader, html_reader, jsonl_reader, text_reader, xlsx_reader
from massline.ingest.records import Reader, TextReader

READERS: dict[str, Reader] = {
    "csv": csv_reader.read_csv,
    "tsv": csv_reader.read_tsv,
    "xlsx": xlsx_reader.read_xlsx,
    "jsonl": jsonl_reader.read_jsonl,
    "html": html_reader.read_html,
    "text": text_reader.read_text,
    "feed": feed_reader.read_feed,
}

#: Formats that can be read from a text stream, record by record: a large file of these is never
#: held in memory as a whole (``massline.ingest.service.ingest_file``). ``newline`` is how to open it.
STREAM_READERS: dict[str, tuple[TextReader, str]] = {
    "csv": (csv_reader.read_csv_text, ""),
    "tsv": (csv_reader.read_tsv_text, ""),
    "jsonl": (jsonl_reader.read_jsonl_text, "\n"),
}

CONTENT_TYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/jsonl",
    "html": "text/html",
    "text": "text/plain",
    "feed": "application/rss+xml",
}

_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
}


def sniff_format(data: bytes, content_type: str = "") -> str:
    """Guess the format from an HTTP content type or the first bytes (for URLs and unknown extensions)."""
    ct = content_type.lower()
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    xml = "xml" in ct or head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed")
    if "rss" in ct or "atom" in ct or (xml and (b"<rss" in head or b"<feed" in head)):
        return "feed"
    if "html" in ct or head.startswith(b"<!doctype html") or head.startswith(b"<html"):
        return "html"
    if "csv" in ct:
        return "csv"
    if "json" in ct:
        return "jsonl"
    if head.startswith(b"pk\x03\x04"):
        return "xlsx"
    return "text"


def format_for(path: PurePath | str, data: bytes) -> str:
    """The reader name for a file: its extension, else what its bytes look like."""
    suffixes = PurePath(str(path)).suffixes
    ext = suffixes[-1].lower() if suffixes else ""
    return _EXTENSIONS.get(ext) or sniff_format(data)
