"""``clean.t2s``: traditional → simplified Chinese (OpenCC) for analysis; ``Doc.original`` keeps what was written.

Why OpenCC ``t2s`` and not ``tw2sp``: ``tw2sp`` also swaps Taiwan vocabulary for mainland
words (軟體→软件, 資訊→信息). That is a rewrite of what the person said, not a change of
script, and our sources are mainland and Guangdong/Hong Kong pages and messages, where those
swaps are wrong as often as right. ``t2s`` changes characters (with OpenCC's phrase table
for one-to-many cases such as 乾隆/乾燥), which is what segmentation and classification
need. It is also length-preserving in practice, so offsets of earlier flags stay usable on
the simplified text; when a conversion does change the length, the flag says so.

Records ``doc.meta["script"]`` = ``"traditional"`` when a noticeable share of ideographs
changed (see :func:`script_of`), else ``"simplified"``. The title and the text-valued
metadata (source, author, …) are converted too.
"""

from __future__ import annotations

from massline.clean._base import Cleaner
from massline.clean._text import HAN, to_simplified
from massline.core.types import Doc
from massline.pipeline.registry import registry

#: ``doc.meta`` keys holding human text (converted along with the body).
TEXT_META_KEYS: tuple[str, ...] = ("source", "author", "editor", "reviewer", "sitename", "title_prefix", "edition")


def script_of(before: str, after: str) -> tuple[str, int, int]:
    """``("traditional"|"simplified", changed ideographs, all ideographs)`` from a t2s conversion."""
    han = len(HAN.findall(before))
    if before == after:
        changed = 0
    elif len(before) == len(after):
        changed = sum(map(str.__ne__, before, after))
    else:
        changed = sum(1 for c in HAN.findall(before) if to_simplified(c) != c)
    traditional = han > 0 and (changed / han >= 0.1 or (changed >= 3 and changed / han >= 0.03))
    return ("traditional" if traditional else "simplified"), changed, han


@registry.register("clean.t2s", version="1", stage="clean", requires=("text",), assigns=("text", "title", "meta"))
class TraditionalToSimplified(Cleaner):
    """Traditional → simplified Chinese with OpenCC t2s; records meta["script"]; see module doc."""

    def clean(self, doc: Doc) -> Doc:
        before = doc.text
        after = to_simplified(before)
        script, changed, han = script_of(before + (doc.title or ""), after + to_simplified(doc.title or ""))
        doc.meta["script"] = script
        if changed:
            note = "" if len(before) == len(after) else "; length changed, earlier offsets are approximate"
            self.flag(
                doc, "converted_t2s", f"{changed} of {han} ideographs traditional → simplified (OpenCC t2s){note}"
            )
        doc.text = after
        if doc.title:
            doc.title = to_simplified(doc.title)
        for key in TEXT_META_KEYS:
            value = doc.meta.get(key)
            if isinstance(value, str):
                doc.meta[key] = to_simplified(value)
        return doc
