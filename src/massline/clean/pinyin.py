"""``clean.pinyin``: remove inline pinyin annotations such as ``報(bào)`` — only where provably pinyin.

Some converters (and defaced pages like the seed) write a reading after characters:
``羊城晚報(bào)``. Left in, they break segmentation, search and duplicate detection. But
parentheses also hold real content — ``(作者单位:…)``, ``(1)``, ``(see below)`` — so a
parenthesised group is removed only when

* every word in it is a real pinyin syllable (from pypinyin's dictionary), and
* at least one syllable carries a tone mark (converters write them; a person clarifying
  ``藏(zang)`` or English in parentheses does not), and
* the syllable(s) are a reading of the character(s) right before it: pypinyin with
  heteronyms, checked for the character as written and for its simplified form (OpenCC),
  with tone marks compared exactly (an unmarked neutral-tone syllable may match any tone); or
* (the stray case seen on the seed page, ``第A(yíng)08版`` → ``第A08版``) the group follows an
  ASCII letter or digit and is a single tone-marked syllable — English never carries tone marks.

Every removal is flagged (kind ``pinyin_annotation``) with the removed text and its offsets in
the text this component saw.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from pypinyin import Style, pinyin
from pypinyin.pinyin_dict import pinyin_dict

from massline.clean._base import Cleaner
from massline.clean._text import is_han, to_simplified
from massline.core.types import Doc
from massline.pipeline.registry import registry

_LETTERS = "a-zêüàáèéìíòóùúāēěīńňōūǎǐǒǔǘǚǜǹḿếề"
_ANNOTATION = re.compile(rf"[(（]([{_LETTERS}]+(?: [{_LETTERS}]+){{0,3}})[)）]")
_TONE_MARKS = frozenset("àáèéìíòóùúāēěīńňōūǎǐǒǔǘǚǜǹḿếề")
_MAX_SYLLABLES = 4


def _toneless(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ü", "v")


@cache
def _syllables() -> tuple[frozenset[str], frozenset[str]]:
    """All toned syllables pypinyin knows, and their toneless forms."""
    toned: set[str] = set()
    for readings in pinyin_dict.values():
        toned.update(readings.split(","))
    return frozenset(toned), frozenset(_toneless(s) for s in toned)


@cache
def readings(char: str) -> frozenset[str]:
    """Every reading (with tone marks) of ``char`` and of its simplified form."""
    out: set[str] = set()
    for form in {char, to_simplified(char)}:
        for group in pinyin(form, style=Style.TONE, heteronym=True, errors="ignore"):
            out.update(group)
    return frozenset(out)


def is_syllable(word: str) -> bool:
    toned, toneless = _syllables()
    return word in toned or word in toneless


def _matches(char: str, syllable: str) -> bool:
    options = readings(char)
    if syllable in options:
        return True
    if not _TONE_MARKS.intersection(syllable):  # toneless annotation: any tone will do
        return any(_toneless(o) == syllable for o in options)
    return False


def annotation_reason(text: str, start: int, words: list[str]) -> str | None:
    """Why the annotation at ``start`` (the opening parenthesis) is a removable reading, or None."""
    if not words or len(words) > _MAX_SYLLABLES or not all(is_syllable(w) for w in words):
        return None
    if not any(_TONE_MARKS.intersection(w) for w in words):
        return None  # 藏(zang): an untoned reading is a writer's note or English, not a converter's annotation
    before = text[max(0, start - len(words)) : start]
    if len(before) == len(words) and all(is_han(c) for c in before):
        if all(_matches(c, w) for c, w in zip(before, words, strict=True)):
            return f"'{' '.join(words)}' is a reading of {before!r}"
        return None
    prev = text[start - 1] if start else ""
    if len(words) == 1 and prev.isascii() and prev.isalnum() and _TONE_MARKS.intersection(words[0]):
        return f"stray tone-marked syllable '{words[0]}' after non-Chinese character {prev!r}"
    return None


@registry.register("clean.pinyin", version="1", stage="clean", requires=("text",), assigns=("text", "title"))
class Pinyin(Cleaner):
    """Remove inline pinyin annotations like 報(bào) only when they are a real reading; see module doc."""

    def clean(self, doc: Doc) -> Doc:
        doc.text = self._strip(doc, doc.text, "text")
        if doc.title:
            doc.title = self._strip(doc, doc.title, "title")
        return doc

    def _strip(self, doc: Doc, text: str, on: str) -> str:
        if "(" not in text and "（" not in text:
            return text
        parts: list[str] = []
        last = 0
        for m in _ANNOTATION.finditer(text):
            reason = annotation_reason(text, m.start(), m.group(1).split(" "))
            if reason is None:
                continue
            parts.append(text[last : m.start()])
            last = m.end()
            self.flag(doc, "pinyin_annotation", reason, start=m.start(), end=m.end(), text=m.group(), on=on)
        if not parts:
            return text
        parts.append(text[last:])
        return "".join(parts)
