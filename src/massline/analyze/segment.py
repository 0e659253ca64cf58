"""Chinese word segmentation with jieba plus our place and department dictionaries.

Why a private ``jieba.Tokenizer`` instead of the module-level default: the custom
dictionaries must not leak into (or be changed by) other code in the same process that uses
jieba, and loading once per process matters — jieba's dictionary load takes about a second.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import jieba

from massline.core.types import Doc
from massline.pipeline.registry import registry

NAME = "analyze.segment"
VERSION = "1"
DICTIONARIES = ("places.txt", "departments.txt")

_lock = threading.Lock()


def dictionary_paths() -> list[Path]:
    """The shipped custom dictionaries (``massline/data/dicts``)."""
    base = files("massline") / "data" / "dicts"
    return [Path(str(base / name)) for name in DICTIONARIES]


def get_tokenizer(extra: tuple[str, ...] = ()) -> jieba.Tokenizer:
    """A jieba tokenizer with the shipped dictionaries (and ``extra`` files) loaded, built once.

    (``get_tokenizer()`` and ``get_tokenizer(())`` are the same tokenizer: an ``lru_cache`` on this
    function itself would load jieba's dictionary twice, once per spelling of the call.)
    """
    return _tokenizer(tuple(extra))


@lru_cache(maxsize=4)
def _tokenizer(extra: tuple[str, ...]) -> jieba.Tokenizer:
    with _lock:
        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        tok.initialize()
        for path in [*dictionary_paths(), *map(Path, extra)]:
            tok.load_userdict(str(path))
        return tok


def cut(text: str) -> list[str]:
    """Words of ``text`` (whitespace dropped)."""
    return [w for w in get_tokenizer().lcut(text) if w.strip()]


def tokenize(text: str) -> Iterator[tuple[str, int, int]]:
    """``(word, start, end)`` for every word of ``text``, offsets into ``text``."""
    yield from get_tokenizer().tokenize(text)


def doc_text(doc: Doc) -> str:
    """The text analysis looks at: the title (when there is one and the body does not start with it) and the body."""
    title = (doc.title or "").strip()
    if title and not doc.text.lstrip().startswith(title):
        return f"{title}\n{doc.text}"
    return doc.text


@registry.register(NAME, version=VERSION, stage="analyze", assigns=("tokens",))
class Segmenter:
    """jieba word segmentation with place and department dictionaries; sets ``doc.tokens``."""

    name = NAME
    version = VERSION

    def __init__(self, extra_dictionaries: Iterable[str] = ()) -> None:
        self.extra = tuple(str(p) for p in extra_dictionaries)
        self.tokenizer = get_tokenizer(self.extra)

    def __call__(self, doc: Doc) -> Doc:
        doc.tokens = [w for w in self.tokenizer.lcut(doc_text(doc)) if w.strip()]
        return doc
