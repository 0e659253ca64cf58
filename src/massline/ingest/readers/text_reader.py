"""Plain-text files: the whole file is one message; its decoded text is kept exactly (BOM included)."""

from __future__ import annotations

from collections.abc import Iterator

from massline.core.errors import InputError
from massline.ingest.decode import decode_bytes
from massline.ingest.records import RawRecord, ReadItem


def read_whole(data: bytes, origin: str, content_type: str) -> Iterator[ReadItem]:
    if not data.strip():
        raise InputError("empty file: no text", origin=origin)
    decoded = decode_bytes(data, origin=origin, keep_bom=True)
    meta = {"encoding": decoded.encoding} if decoded.encoding == "gb18030" else {}
    yield RawRecord("", {"body": decoded.text}, content_type=content_type, whole_file=True, meta=meta)


def read_text(data: bytes, origin: str) -> Iterator[ReadItem]:
    return read_whole(data, origin, "text/plain")
