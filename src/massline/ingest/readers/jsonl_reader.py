"""JSON Lines: one JSON object per line; blank lines are skipped, anything else bad is reported."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import TextIO

from massline.core.errors import InputError
from massline.ingest.decode import decode_bytes
from massline.ingest.records import RawRecord, ReadItem, ReadProblem


def read_jsonl(data: bytes, origin: str) -> Iterator[ReadItem]:
    decoded = decode_bytes(data, origin=origin)
    yield from read_jsonl_text(io.StringIO(decoded.text, newline="\n"), origin, decoded.encoding)


def read_jsonl_text(stream: TextIO, origin: str, encoding: str = "utf-8") -> Iterator[ReadItem]:
    """Records of a decoded JSON Lines stream (opened with ``newline="\\n"``), line by line."""
    seen = False
    for line_no, line in enumerate(stream, start=1):
        line = line[:-1] if line.endswith("\n") else line
        if not line.strip():
            continue
        seen = True
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReadProblem(f"line {line_no}", f"invalid JSON: {exc.msg} at column {exc.colno}", content=line)
            continue
        if not isinstance(value, dict):
            yield ReadProblem(f"line {line_no}", f"expected a JSON object, found {type(value).__name__}", content=line)
            continue
        yield RawRecord(f"line {line_no}", value)
    if not seen:
        raise InputError("empty file: no JSON lines", origin=origin)
