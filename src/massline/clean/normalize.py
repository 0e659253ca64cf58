"""``clean.normalize``: full-width → half-width where it is safe, invisible characters out, whitespace tidy.

Why not plain NFKC: NFKC also rewrites Chinese punctuation (，→ , ：→ :), circled numbers
(① → 1) and units (㎡ → m2), which changes how a message reads and what a person wrote.
We do what downstream matching needs and no more:

* full-width letters, digits and ASCII-only symbols (Ａ１＠＃％＋－／＜＝＞…) → ASCII, always;
* full-width punctuation that Chinese uses as its own (，。：；！？（）) stays, except between two
  ASCII letters/digits where it is clearly part of a number, time or code (``１２：３０`` → ``12:30``);
* zero-width characters, BOMs, control characters (except newline and tab) and the literal
  ``_x000D_`` that spreadsheet exports leave for a carriage return are removed;
* Unicode spaces (U+3000, NBSP, …) and tabs become one ASCII space, runs collapse, lines are
  stripped, and more than one blank line collapses to one — paragraph breaks survive;
* NFC (canonical, lossless) so compatibility ideographs and combining accents compare equal.

One summary flag (kind ``normalized``) is recorded when width or invisible characters changed;
pure whitespace tidying is not flagged (it changes no character a reader sees).
"""

from __future__ import annotations

import re
import unicodedata

from massline.clean._base import Cleaner
from massline.core.types import Doc
from massline.pipeline.registry import registry

#: Full-width code points Chinese text uses as its own punctuation — converted only in ASCII context.
_CJK_PUNCT_FW = "！＂＇（），．：；？"
_ALWAYS: dict[int, str] = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _CJK_PUNCT_FW}
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad" + "".join(
    chr(c) for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) not in "\n\t"
)
_TABLE: dict[int, str | None] = {
    **_ALWAYS,
    **{ord(c): " " for c in _SPACES},
    **{ord(c): None for c in _INVISIBLE},
}
_TABLE_RE = re.compile("[" + re.escape("".join(map(chr, _TABLE))) + "]")
_WIDE_RE = re.compile("[" + re.escape("".join(map(chr, _ALWAYS))) + "]")
_INVISIBLE_RE = re.compile("[" + re.escape(_INVISIBLE) + "]")
_CJK_PUNCT_IN_ASCII = re.compile("(?<=[0-9A-Za-z])[" + _CJK_PUNCT_FW + "](?=[0-9A-Za-z])")
_OOXML_CR = re.compile(r"_x000[Dd]_")
_SPACE_RUNS = re.compile(r" {2,}")
_LINE_EDGES = re.compile(r"[ ]*\n[ ]*")
_BLANK_LINES = re.compile(r"\n{3,}")


def _translate(m: re.Match[str]) -> str:
    return m.group().translate(_TABLE)


def normalize_text(text: str) -> tuple[str, int, int]:
    """The normalised text, the number of width conversions, and the number of invisible chars removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    invisible = 0
    if "_x000" in text:  # OOXML's escaped carriage return, left behind by spreadsheet exports
        text, invisible = _OOXML_CR.subn("", text)
    wide = len(_WIDE_RE.findall(text))
    invisible += len(_INVISIBLE_RE.findall(text))
    out = _TABLE_RE.sub(_translate, text)
    if "\uff1a" in out or "\uff0e" in out or "\uff0c" in out or "\uff1b" in out or "\uff08" in out:
        out, n = _CJK_PUNCT_IN_ASCII.subn(lambda m: chr(ord(m.group()) - 0xFEE0), out)
        wide += n
    if not unicodedata.is_normalized("NFC", out):
        out = unicodedata.normalize("NFC", out)
    out = _SPACE_RUNS.sub(" ", out)
    out = _LINE_EDGES.sub("\n", out)
    out = _BLANK_LINES.sub("\n\n", out)
    return out.strip(), wide, invisible


@registry.register("clean.normalize", version="1", stage="clean", requires=("text",), assigns=("text", "title"))
class Normalize(Cleaner):
    """Full-width → half-width (letters, digits, symbols), invisible chars out, whitespace tidy; see module doc."""

    def clean(self, doc: Doc) -> Doc:
        text, wide, invisible = normalize_text(doc.text)
        if wide or invisible:
            parts = []
            if wide:
                parts.append(f"{wide} full-width character(s) → half-width")
            if invisible:
                parts.append(f"{invisible} zero-width/control character(s) removed")
            self.flag(doc, "normalized", "; ".join(parts))
        doc.text = text
        if doc.title:
            doc.title = normalize_text(doc.title)[0].replace("\n", " ")
        return doc
