"""``clean.mojibake``: find runs of mis-decoded characters, flag them, repair only what is provably reversible.

Mis-decoding leaves a recognisable trail in Chinese text: ``?`` where a lead byte was lost,
orphan pinyin fragments (``?chē)``), private-use and U+FFFD characters, accented Latin,
Cyrillic, Hangul or bopomofo letters wedged between ideographs, and clusters of rare
ideographs (浾撽, 眻) where byte pairs were re-aligned. The seed page has five such spans,
e.g. ``周?chē)步ňW`` (周围构建网).

Each signal is scored *strong* (almost never in real text) or *weak* (happens in real text:
a lone ``?`` after a question, a single rare character in a name, a masked place ``A市``).
Signals closer than :data:`GAP` characters join into one span; a span is flagged (kind
``corrupted_span``, offsets into the text this component saw) only if it holds a strong
signal, three rare ideographs, or two rare ideographs and a stray ``?`` — users do write
variant characters (办实亊, 娭毑), but rarely three in a row. Weak-only spans are left alone, so ordinary
citizen messages are not flagged.

Repair is attempted only for the two reversible mistakes — UTF-8 bytes read as GBK, or as
Latin-1/cp1252 — and applied only when re-encoding the span and decoding it correctly
succeeds strictly and yields common characters. Anything else (a lost byte, as in every
seed span) is flagged, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from massline.clean._base import Cleaner
from massline.clean._text import char_class, common_han, is_han
from massline.clean.pinyin import is_syllable
from massline.core.types import Doc
from massline.pipeline.registry import registry

#: Signals at most this many characters apart belong to one corrupted span.
GAP = 3
#: How many neighbouring ideographs a repair attempt may add on each side of a span.
WIDEN = 2
#: At most this many spans are flagged one by one; binary junk would otherwise make thousands of flags.
MAX_FLAGS = 50
_PINYIN = "a-zêüàáèéìíòóùúāēěīńňōūǎǐǒǔǘǚǜǹḿếề"
#: A pinyin fragment closed by ``)`` with no ``(``: after ``?`` (a lost lead byte) or tone-marked. Checked
#: against the syllable table before it counts, so ``5ml)`` is not one.
_ORPHAN_PINYIN = re.compile(rf"\?([{_PINYIN}]{{1,6}})\)|(?<![({_PINYIN}A-Za-z0-9])([{_PINYIN}]{{1,6}})\)")
_TONED = frozenset("àáèéìíòóùúāēěīńňōūǎǐǒǔǘǚǜǹḿếề")
#: UTF-8 read as Latin-1/cp1252: a lead byte (Ã, å, æ, ç, è, é, …) then continuation-range characters.
_CONTINUATION = (
    "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_LATIN1_UTF8 = re.compile(f"(?:[\u00c2-\u00ef][{_CONTINUATION}]{{1,2}})+")


QUESTION = "'?' inside Chinese text"


@dataclass(slots=True)
class Signal:
    start: int
    end: int
    strong: bool
    rare: bool
    why: str


def _char_signal(text: str, i: int, common: frozenset[str]) -> Signal | None:
    ch = text[i]
    cp = ord(ch)
    prev = text[i - 1] if i else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if ch == "\ufffd":
        return Signal(i, i + 1, True, False, "replacement character U+FFFD")
    if 0xE000 <= cp <= 0xF8FF or cp >= 0xF0000:
        return Signal(i, i + 1, True, False, f"private-use character U+{cp:04X}")
    if is_han(ch):
        if ch not in common:
            return Signal(i, i + 1, False, True, f"rare ideograph {ch!r}")
        return None
    near_han = is_han(prev) or is_han(nxt)
    if ch == "?" and near_han:
        return Signal(i, i + 1, False, False, QUESTION)
    if 0x3100 <= cp <= 0x312F and near_han:
        return Signal(i, i + 1, True, False, f"bopomofo {ch!r} between ideographs")
    if (0x0400 <= cp <= 0x04FF or 0xAC00 <= cp <= 0xD7AF) and near_han:
        return Signal(i, i + 1, True, False, f"foreign letter {ch!r} between ideographs")
    if 0x0370 <= cp <= 0x03FF and near_han:  # β链球菌, α波: Greek is used in Chinese text
        return Signal(i, i + 1, False, False, f"Greek letter {ch!r} between ideographs")
    in_word = prev.isalpha() and not is_han(prev) and nxt.isalpha()
    if 0x00C0 <= cp <= 0x024F and ch.isalpha() and near_han and not in_word:
        return Signal(i, i + 1, True, False, f"accented Latin {ch!r} next to an ideograph")
    if ch.isascii() and ch.isalpha() and near_han and not (prev.isascii() and prev.isalnum()):
        if not (nxt.isascii() and nxt.isalnum()):
            return Signal(i, i + 1, False, False, f"lone Latin letter {ch!r} between ideographs")
    return None


@cache
def _unsafe() -> re.Pattern[str]:
    """Any character that could start a signal: not a common ideograph, ASCII non-letter or CJK punctuation."""
    ascii_safe = {chr(c) for c in range(0x20, 0x7F) if not chr(c).isalpha() and chr(c) != "?"}
    punct = {chr(c) for c in [*range(0x3000, 0x3040), *range(0xFF00, 0xFF66), *range(0x2010, 0x2070)]}
    return re.compile(char_class(common_han() | ascii_safe | punct | {"\n", "\t"}, negate=True))


def find_signals(text: str) -> list[Signal]:
    common = common_han()
    signals: list[Signal] = []
    covered: set[int] = set()
    for m in _ORPHAN_PINYIN.finditer(text):
        word = m.group(1) or m.group(2)
        if not is_syllable(word) or (m.group(2) and not _TONED.intersection(word)):
            continue
        signals.append(Signal(m.start(), m.end(), True, False, f"orphan pinyin fragment {m.group()!r}"))
        covered.update(range(m.start(), m.end()))
    for m in _LATIN1_UTF8.finditer(text):
        if m.end() - m.start() >= 2 and not covered.intersection(range(m.start(), m.end())):
            signals.append(Signal(m.start(), m.end(), True, False, "UTF-8 bytes shown as Latin-1"))
            covered.update(range(m.start(), m.end()))
    for m in _unsafe().finditer(text):
        i = m.start()
        if i in covered:
            continue
        sig = _char_signal(text, i, common)
        if sig:
            signals.append(sig)
    signals.sort(key=lambda s: s.start)
    return signals


@dataclass(slots=True)
class CorruptSpan:
    start: int
    end: int
    reasons: list[str]


def find_corrupt_spans(text: str) -> list[CorruptSpan]:
    """Corrupted spans in ``text`` (see module doc for the signals and the joining rule)."""
    groups: list[list[Signal]] = []
    for sig in find_signals(text):
        if groups and sig.start - groups[-1][-1].end <= GAP and "\n" not in text[groups[-1][-1].end : sig.start]:
            groups[-1].append(sig)
        else:
            groups.append([sig])
    spans: list[CorruptSpan] = []
    for group in groups:
        strong = any(s.strong for s in group)
        rare = sum(s.rare for s in group)
        questions = sum(s.why == QUESTION for s in group)
        if strong or rare >= 3 or (rare >= 2 and questions):
            reasons = list(dict.fromkeys(s.why for s in group))
            spans.append(CorruptSpan(group[0].start, max(s.end for s in group), reasons))
    return spans


def try_repair(span: str) -> tuple[str, str] | None:
    """``(repaired, how)`` if ``span`` is provably UTF-8 mis-read as GBK or Latin-1, else None."""
    common = common_han()
    for wrong in ("gbk", "cp1252", "latin-1"):
        try:
            fixed = span.encode(wrong).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        han = [c for c in fixed if is_han(c)]
        if fixed != span and han and all(c in common for c in han) and len(fixed) < len(span):
            return fixed, f"UTF-8 bytes had been decoded as {wrong}; re-encoding round-trips exactly"
    return None


def repair_window(text: str, span: CorruptSpan) -> tuple[int, int, str, str] | None:
    """Try the span widened by up to :data:`WIDEN` ideographs each side (signals can miss a common-looking edge)."""
    options = sorted(((a, b) for a in range(WIDEN + 1) for b in range(WIDEN + 1)), key=sum)
    for a, b in options:
        start, end = span.start - a, span.end + b
        if start < 0 or end > len(text) or not all(is_han(c) for c in text[start : span.start] + text[span.end : end]):
            continue
        repaired = try_repair(text[start:end])
        if repaired:
            return start, end, *repaired
    return None


@registry.register("clean.mojibake", version="1", stage="clean", requires=("text",), assigns=("text",))
class Mojibake(Cleaner):
    """Flag mis-decoded spans with offsets; repair only proven GBK/Latin-1↔UTF-8 mix-ups; see module doc."""

    def clean(self, doc: Doc) -> Doc:
        text = doc.text
        if text.isascii():
            return doc
        spans = find_corrupt_spans(text)
        if not spans:
            return doc
        out: list[str] = []
        last = 0
        unlisted = 0
        for n, span in enumerate(spans):
            why = "; ".join(span.reasons)
            repair = repair_window(text, span) if span.start >= last else None
            if repair:
                start, end, fixed, how = repair
                out.extend((text[last:start], fixed))
                last = end
            if n >= MAX_FLAGS:
                unlisted += 1
            elif repair:
                start, end, fixed, how = repair
                self.flag(
                    doc, "mojibake_repaired", f"{how} ({why}) → {fixed!r}", start=start, end=end, text=text[start:end]
                )
            else:
                self.flag(
                    doc,
                    "corrupted_span",
                    f"{why}; not provably reversible, left as is",
                    start=span.start,
                    end=span.end,
                    text=text[span.start : span.end],
                )
        if unlisted:
            self.flag(doc, "corrupted_text", f"{unlisted} more corrupted spans beyond the first {MAX_FLAGS}")
        if last:
            out.append(text[last:])
            doc.text = "".join(out)
        return doc
