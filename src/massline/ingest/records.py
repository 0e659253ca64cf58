"""What readers produce: records as read (before any mapping) and problems found while reading.

Readers never raise for one bad record: they yield a :class:`ReadProblem` in its place so
the service can quarantine it with its locator and carry on. Only a file that cannot be
read at all (binary junk, a truncated workbook) raises :class:`massline.core.errors.InputError`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TextIO


@dataclass(slots=True)
class RawRecord:
    """One record as found in the input: column/key → value, and where it was."""

    locator: str  # "row 2", "line 3", "entry 1"; "" when the record is the whole file
    fields: dict[str, Any]
    content_type: str = "text/plain"  # of the body text
    whole_file: bool = False  # the file itself is the record (text and HTML pages)
    meta: dict[str, Any] = field(default_factory=dict)  # reader facts (encoding, link, …)

    def canonical_bytes(self) -> bytes:
        return canonical_json(self.fields)


@dataclass(slots=True)
class ReadProblem:
    """A record that could not be read: where, which field, why, and what the bytes said."""

    locator: str
    reason: str
    field: str = ""
    content: str | None = None


ReadItem = RawRecord | ReadProblem
Reader = Callable[[bytes, str], Iterator[ReadItem]]
#: A line-oriented format read from a decoded text stream: ``(stream, origin, encoding)``.
TextReader = Callable[[TextIO, str, str], Iterator[ReadItem]]


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def canonical_json(data: Any) -> bytes:
    """Stable bytes for a record, so the same row always has the same sha256 wherever it comes from."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_default).encode(
        "utf-8"
    )

