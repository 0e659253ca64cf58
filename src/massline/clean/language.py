"""``clean.language``: which language a message is in, from the share of each script (no model).

Why a heuristic: massline is Chinese first; the decision that matters is "Chinese or not",
which script shares answer reliably and in microseconds. Han with kana → Japanese, Hangul →
Korean, Cyrillic → Russian/Ukrainian by their distinct letters, Latin → English when English
function words are frequent. Anything unclear is ``"und"`` (undetermined) rather than a guess;
no input can make this component fail. The share is kept as the result's confidence.
"""

from __future__ import annotations

import re

from massline.clean._base import Cleaner
from massline.clean._text import HAN
from massline.core.types import Doc, Result
from massline.pipeline.registry import registry

_EN_WORDS = frozenset(
    "the a an and or of to in on for is are was were be been it this that with as at by from not "
    "have has had i you we they he she my our your please can will would should there".split()
)
_WORD = re.compile(r"[A-Za-z]+")
_SCRIPTS: dict[str, re.Pattern[str]] = {
    "han": HAN,
    "kana": re.compile("[\u3040-\u30ff]"),
    "hangul": re.compile("[\uac00-\ud7af\u1100-\u11ff]"),
    "cyrillic": re.compile("[\u0400-\u04ff]"),
    "latin": re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]"),
}
#: Letters of any other script (Arabic, Thai, Devanagari, Greek, …): the known scripts and CJK marks excluded.
_OTHER = re.compile(
    "[^\\W\\d_A-Za-z\u00c0-\u024f\u0400-\u04ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\uac00-\ud7af\u1100-\u11ff\U00020000-\U0003134f\u3005-\u3007]"
)


def detect_language(text: str) -> tuple[str, float]:
    """``(language code, confidence)`` for ``text`` by script share."""
    counts = {script: len(pattern.findall(text)) for script, pattern in _SCRIPTS.items()}
    counts["other"] = len(_OTHER.findall(text))
    total = sum(counts.values())
    if not total:
        return "und", 0.0
    share = {k: v / total for k, v in counts.items()}
    if counts["kana"] and share["kana"] >= 0.1:
        return "ja", round(share["kana"] + share["han"], 3)
    # Latin letters inside Chinese messages are codes and masked names (A市, 12345); Han decides.
    if share["han"] >= 0.3:
        return "zh", round(min(1.0, share["han"] + share["latin"] / 2), 3)
    if share["hangul"] >= 0.5:
        return "ko", round(share["hangul"], 3)
    if share["cyrillic"] >= 0.5:
        lower = text.lower()
        if any(c in lower for c in "ієїґ"):
            return "uk", round(share["cyrillic"], 3)
        return "ru", round(share["cyrillic"], 3)
    if share["latin"] >= 0.5:
        words = [w.lower() for w in _WORD.findall(text)]
        hits = sum(1 for w in words if w in _EN_WORDS)
        if words and (hits / len(words) >= 0.1 or len(words) <= 3):
            return "en", round(share["latin"] * min(1.0, 0.5 + hits / len(words)), 3)
    return "und", round(max(share.values()), 3)


@registry.register("clean.language", version="1", stage="clean", requires=("text",), assigns=("language", "results"))
class Language(Cleaner):
    """Language code from script shares (zh, en, ja, ko, ru, uk, und); see module doc."""

    def clean(self, doc: Doc) -> Doc:
        language, confidence = detect_language((doc.title or "") + "\n" + doc.text[:2000])
        doc.language = language
        doc.add_result(
            Result(self.name, self.version, "language", language, confidence, "share of letters in the deciding script")
        )
        return doc
