"""Helpers shared by the intake tests (a module with a unique name, importable from the test files)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

TAIDI = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "taidi2020"


def read_csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], [r for r in rows[1:] if any(c.strip() for c in r)]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@dataclass
class Site:
    """Routes of the local test server: path → (status, headers, body, delay seconds)."""

    routes: dict[str, tuple[int, dict[str, str], bytes, float]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""
