"""The small real samples bundled with the package (for ``make demo`` and smoke tests)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def samples_dir() -> Path:
    return Path(str(files("massline") / "data" / "samples"))


def sample_paths() -> list[Path]:
    """The bundled sample inputs (泰迪杯 附件2/3/4 subsets), in a stable order."""
    return sorted(p for p in samples_dir().iterdir() if p.suffix in (".csv", ".xlsx", ".jsonl"))
