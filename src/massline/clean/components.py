"""Registers the built-in cleaning components (import side effect, one registration site) and the default order.

Why this order (:data:`CLEAN_PIPELINE`):

1. ``clean.html`` first — every other cleaner works on text, not markup.
2. ``clean.normalize`` — width and whitespace fixed once, so later patterns see ``:`` and
   single spaces, and line structure is tidy.
3. ``clean.pinyin`` — annotations out before anything matches keys or judges characters
   (``來(lái)源`` must read ``來源``; ``W(wǎng)`` must not split a corrupted span).
4. ``clean.spam`` — injected lines out before ``clean.page_text`` looks for the title,
   so a gambling headline can never become the title.
5. ``clean.page_text`` — title, byline, source link and navigation of page-like text.
6. ``clean.mojibake`` — on the final body, *before* t2s: a GBK/UTF-8 repair is only provable
   on the characters as decoded (t2s would rewrite them), and its flags' offsets stay valid
   for the final simplified text because t2s preserves length.
7. ``clean.t2s`` — traditional → simplified for analysis (``Doc.original`` untouched).
8. ``clean.language`` — last, on the clean simplified text.

Flags carry offsets into the text the flagging component saw (see :mod:`massline.clean._base`);
with this order the ``corrupted_span`` offsets point into the final body.
"""

from __future__ import annotations

from massline.clean import html, language, mojibake, normalize, page_text, pinyin, spam, t2s  # noqa: F401
from massline.clean._base import Cleaner

#: Default cleaning order; ``build_pipeline(CLEAN_PIPELINE)`` gives the standard cleaner.
CLEAN_PIPELINE: tuple[str, ...] = (
    "clean.html",
    "clean.normalize",
    "clean.pinyin",
    "clean.spam",
    "clean.page_text",
    "clean.mojibake",
    "clean.t2s",
    "clean.language",
)

__all__ = ["CLEAN_PIPELINE", "Cleaner"]
