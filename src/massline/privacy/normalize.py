"""Views of a text that recognizers scan, each with a map back to the ORIGINAL offsets.

Citizens type ``１３８００１３８０００`` (full width) or ``138 0013 8000`` / ``4301 0219 …``
(grouped). Two views catch both without losing offsets:

* the *folded* view maps full-width ASCII (U+FF01–U+FF5E) and the ideographic space to
  ASCII one character for one character, so offsets are unchanged;
* the *compact* view additionally drops short separator runs (spaces, hyphens) between
  digits and keeps ``offsets[i]`` = original index of compact character ``i``.

Recognizers run on both; a span in a view is mapped back with :meth:`View.to_original`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)}
_WIDTH[0x3000] = 0x20  # ideographic space
_WIDTH.update({0x2014: 0x2D, 0x2013: 0x2D, 0x2012: 0x2D, 0x2010: 0x2D, 0x2212: 0x2D, 0x00A0: 0x20})

#: Separators removed between two digits in the compact view (1–2 chars: "138 0013" / "0731 - 8").
_DIGIT_SEP = re.compile(r"(?<=[0-9])[ \t\-]{1,3}(?=[0-9Xx])")
#: A digit followed by such a separator: without one, ``_DIGIT_SEP`` cannot match, and this plain
#: character-class scan is much cheaper than trying its look-behind at every position.
_DIGIT_THEN_SEP = re.compile(r"[0-9][ \t\-]")


def fold_width(text: str) -> str:
    """Full-width ASCII → ASCII, one character for one (offsets unchanged)."""
    return text.translate(_WIDTH)


@dataclass(frozen=True, slots=True)
class View:
    """A scanned form of the text; ``offsets`` is None when it is offset-identical to the original."""

    name: str
    text: str
    offsets: tuple[int, ...] | None = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        if self.offsets is None:
            return start, end
        return self.offsets[start], self.offsets[end - 1] + 1


def views(text: str) -> list[View]:
    """The folded view, plus the compact view when the text has separators between digits."""
    folded = fold_width(text)
    out = [View("folded", folded)]
    if _DIGIT_THEN_SEP.search(folded) is None or _DIGIT_SEP.search(folded) is None:
        return out
    chars: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _DIGIT_SEP.finditer(folded):
        chars.append(folded[pos : m.start()])
        offsets.extend(range(pos, m.start()))
        pos = m.end()
    chars.append(folded[pos:])
    offsets.extend(range(pos, len(folded)))
    out.append(View("compact", "".join(chars), tuple(offsets)))
    return out
