"""JSON Lines: one JSON object per line; blank lines are skipped, anything else bad is reported."""

from __future__ import annotations

import json
from collections.abc import Iterator

from massline.core.errors import InputError
from massline.ingest.decode import decode_bytes
from massline.ingest.records import RawRecord, ReadItem, ReadProblem


def read_jsonl(data: bytes, origin: str) -> Iterator[ReadItem]:
    text = decode_bytes(data, origin=origin).text
    if not text.strip():
        raise InputError("empty file: no JSON lines", origin=origin)
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReadProblem(f"line {line_no}", f"invalid JSON: {exc.msg} at column {exc.colno}", content=line)
            continue
        if not isinstance(value, dict):
            yield ReadProblem(f"line {line_no}", f"expected a JSON object, found {type(value).__name__}", content=line)
            continue
        yield RawRecord(f"line {line_no}", value)
