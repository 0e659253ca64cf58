"""Messages as plain records for the guide computations, from a file or from the database.

Why a record of its own instead of ``Message`` rows: hot issues, topics and bursts run on a whole
archive (and on a million resampled messages in the benchmark), so they need small slotted objects
without a session, and the same code must rank a 泰迪杯 file read directly and the stored messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from massline.core.errors import InputError
from massline.ingest.profiles import MappedRecord, detect_profile, map_record
from massline.ingest.readers import READERS, format_for
from massline.ingest.records import RawRecord


@dataclass(slots=True)
class GuideMessage:
    """One message as the guide sees it. ``created_at`` is aware UTC; ``id`` is the database id (or row number)."""

    id: int
    external_id: str | None
    title: str
    body: str
    created_at: datetime
    author: str | None = None  # pseudonym (author_ref) or the file's 留言用户
    likes: int = 0
    dislikes: int = 0
    department_id: int | None = None
    injected: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Title and body, the title first (citizens state the issue there)."""
        return f"{self.title}\n{self.body}" if self.title else self.body


def _as_int(value: Any) -> int:
    try:
        return max(int(value or 0), 0)
    except (TypeError, ValueError):
        return 0


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def from_mapped(rows: Iterable[tuple[int, MappedRecord]]) -> list[GuideMessage]:
    """Records mapped by an ingest profile → guide messages (records without a time are skipped)."""
    out = []
    for n, rec in rows:
        if rec.created_at is None:
            continue
        out.append(GuideMessage(
            id=n, external_id=rec.external_id, title=(rec.title or "").strip(), body=" ".join(rec.body.split()),
            created_at=_aware(rec.created_at), author=rec.author, likes=_as_int(rec.meta.get("likes")),
            dislikes=_as_int(rec.meta.get("dislikes"))))
    return out


def read_records(path: Path) -> list[MappedRecord]:
    """Every readable record of a CSV/XLSX/JSONL file through the intake readers and profile detection."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}", field="--data") from None
    reader = READERS[format_for(path, data)]
    raws = [item for item in reader(data, str(path)) if isinstance(item, RawRecord)]
    if not raws:
        raise InputError(f"{path}: no readable record", field="--data")
    profile = detect_profile(raws[0].fields)
    return [m for m in (map_record(r, profile) for r in raws) if isinstance(m, MappedRecord)]


def read_file(path: Path) -> list[GuideMessage]:
    """A 泰迪杯-style file as guide messages in time order (ids = 1-based record numbers)."""
    return sort_by_time(from_mapped(enumerate(read_records(path), start=1)))


def sort_by_time(messages: Iterable[GuideMessage]) -> list[GuideMessage]:
    return sorted(messages, key=lambda m: (m.created_at, m.id))


def window(messages: Sequence[GuideMessage], since: datetime | None, until: datetime | None) -> list[GuideMessage]:
    """Messages with ``since <= created_at < until`` (either bound may be open)."""
    return [m for m in messages if (since is None or m.created_at >= since) and (until is None or m.created_at < until)]


def chunks(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(seq), size):
        yield seq[start:start + size]
