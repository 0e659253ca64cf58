"""HTML pages: the whole page is one message; main-text extraction is the cleaning pipeline's job."""

from __future__ import annotations

from collections.abc import Iterator

from massline.ingest.readers.text_reader import read_whole
from massline.ingest.records import ReadItem


def read_html(data: bytes, origin: str) -> Iterator[ReadItem]:
    return read_whole(data, origin, "text/html")
