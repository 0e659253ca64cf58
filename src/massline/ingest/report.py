"""What an ingest run did, per input and in total, for the summary table and for callers."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field


@dataclass(slots=True)
class Problem:
    """One quarantined record (or a whole input that could not be read)."""

    origin: str
    locator: str
    field: str
    reason: str

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.origin, self.locator, f"column {self.field!r}" if self.field else "") if p)
        return f"{where}: {self.reason}"


@dataclass
class FileReport:
    """Counts for one input. ``read`` counts every record found (good or bad)."""

    origin: str
    format: str = ""
    profile: str = ""
    read: int = 0
    new: int = 0
    duplicate: int = 0  # already stored (same bytes/row seen before): nothing added
    quarantined: int = 0
    exact_duplicates: int = 0  # new messages linked to an earlier one with the same text
    near_duplicates: int = 0
    not_modified: bool = False  # a URL answered 304
    problems: list[Problem] = field(default_factory=list)  # at most MAX_PROBLEMS_KEPT from records
    #: ids of the new messages, 8 bytes each (a million-row file must not cost a Python int per row)
    message_ids: array[int] = field(default_factory=lambda: array("q"))

    @property
    def usable(self) -> int:
        """Records that were read successfully (stored now or already before)."""
        return self.new + self.duplicate


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0

    def total(self, name: str) -> int:
        return sum(int(getattr(f, name)) for f in self.files)

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]

    @property
    def ok(self) -> bool:
        """False only when nothing at all could be read (the CLI exits non-zero then)."""
        return any(f.usable or f.not_modified for f in self.files)

    @property
    def throughput(self) -> float:
        return self.total("read") / self.seconds if self.seconds > 0 else 0.0
