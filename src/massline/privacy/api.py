"""Stable surface of personal-data protection (placeholder until recognizers land)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PIIFinding:
    start: int
    end: int
    type: str
    text: str
    score: float
    reason: str


def find_pii(text: str) -> list[PIIFinding]:
    """All personal data found in ``text`` (character offsets)."""
    return []


def mask_text(text: str, output: str = "public", role: str | None = None) -> str:
    """``text`` as it may be shown in ``output`` ("public", "export", "feed", "staff") to ``role``."""
    return text
