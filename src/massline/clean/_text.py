"""Small shared text helpers for the cleaning components: script tests, the OpenCC converter, lines.

Why one module: every cleaner needs "is this a Han character?", "what is this line in
simplified Chinese?" and "which characters are common?". Building the OpenCC converter and
the common-character table is expensive, so each is built once per process and cached here
rather than per component or per document (the pipeline must clean ≥ 1,000 messages/s).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import opencc

#: Characters written by OpenCC's ``t2s`` converter; one instance per process (thread-safe to read).
_CONVERTER: Any = None

#: Unicode blocks that count as Han for script decisions.
_HAN_RANGES: tuple[tuple[int, int], ...] = (
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # Unified Ideographs
    (0xF900, 0xFAFF),  # Compatibility Ideographs
    (0x20000, 0x3134F),  # Extensions B–H
)

#: Matches one Han character (any block); ``len(HAN.findall(text))`` counts them at C speed.
HAN = re.compile("[" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in _HAN_RANGES) + "]")

#: Sentence-final punctuation (Chinese and ASCII); a line ending in one of these reads as prose.
SENTENCE_END = "。！？!?；;…"


def is_han(ch: str) -> bool:
    """True for a CJK ideograph (any block), the unit all Chinese-specific rules work on; False for ``""``."""
    if len(ch) != 1:
        return False
    cp = ord(ch)
    if 0x4E00 <= cp <= 0x9FFF:
        return True
    return any(lo <= cp <= hi for lo, hi in _HAN_RANGES)


def to_simplified(text: str) -> str:
    """OpenCC ``t2s`` of ``text`` (see :mod:`massline.clean.t2s` for why ``t2s`` and not ``tw2sp``)."""
    global _CONVERTER
    if _CONVERTER is None:
        _CONVERTER = opencc.OpenCC("t2s")
    return str(_CONVERTER.convert(text)) if text else text


@cache
def common_han() -> frozenset[str]:
    """Han characters in everyday use: GB 2312 (levels 1–2) ∪ Big5 level 1 (常用字).

    Mis-decoded text is full of rare ideographs (浾, 撽, 眻), ordinary messages almost never
    are; the two national standard tables are a dependency-free frequency proxy that works
    for simplified and traditional text alike.
    """
    out: set[str] = set()
    for cp in range(0x4E00, 0xA000):
        ch = chr(cp)
        try:
            ch.encode("gb2312")
            out.add(ch)
            continue
        except UnicodeEncodeError:
            pass
        try:
            code = int.from_bytes(ch.encode("big5"), "big")
        except UnicodeEncodeError:
            continue
        if 0xA440 <= code <= 0xC67E:
            out.add(ch)
    return frozenset(out)


def char_class(chars: frozenset[str] | set[str], negate: bool = False) -> str:
    """A regex character class (``[...]`` or ``[^...]``) matching exactly ``chars``, written as ranges.

    Lets a scan run in the regex engine (C) instead of a Python loop over every character.
    """
    points = sorted(ord(c) for c in chars)
    parts: list[str] = []
    i = 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        lo, hi = re.escape(chr(points[i])), re.escape(chr(points[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a text with its character offsets (``end`` excludes the newline)."""

    start: int
    end: int
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()


def lines(text: str) -> Iterator[Line]:
    """The text's lines with offsets, so removals can be flagged where they happened."""
    pos = 0
    for raw in text.split("\n"):
        yield Line(pos, pos + len(raw), raw)
        pos += len(raw) + 1


def remove_lines(text: str, drop: set[int]) -> str:
    """Drop the lines whose index is in ``drop`` and tidy the blank lines left behind."""
    kept = [ln.text for i, ln in enumerate(lines(text)) if i not in drop]
    out = "\n".join(kept)
    out = _BLANK_RUNS.sub("\n\n", out)
    return out.strip("\n")


_BLANK_RUNS = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")
