"""Chinese word segmentation with jieba plus our place and department dictionaries.

Why a private tokenizer instead of jieba's module-level default: the custom dictionaries must
not leak into (or be changed by) other code in the same process that uses jieba, and loading
once per process matters — jieba's dictionary load takes about a second.

Why :class:`FastTokenizer`: segmentation was the largest single cost of ``massline analyze``.
jieba spends most of its time building each block's word graph and best route in Python;
``jieba_fast_dat`` does exactly that in C++ (a double-array trie of the same dictionary). Its own
``lcut`` is *not* jieba's — it splits numbers such as ``93.71`` and ``90%`` differently — so only
the graph and route come from C++, with jieba's total word count, while splitting into blocks and
the HMM pass over runs of unknown characters stay jieba's own code. The tokens are jieba's, token
for token (``tests/analyze/test_segment_fast.py`` compares them on the shipped messages); without
the compiled package (it has no Windows wheel) jieba itself is used.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol, cast

import jieba
from jieba import finalseg

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


class Tokenizer(Protocol):
    """What the analysis needs of a tokenizer (jieba's ``Tokenizer`` and :class:`FastTokenizer` both are)."""

    def lcut(self, sentence: str) -> list[str]: ...

    def tokenize(self, unicode_sentence: str) -> Iterator[tuple[str, int, int]]: ...


#: ``word freq [tag]`` a line, as jieba reads a user dictionary.
_USERDICT_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")


def _userdict_frequencies(paths: Iterable[Path]) -> list[int] | None:
    """The frequency of every entry of the user dictionaries, or None when one has none (jieba would
    then guess it from its own tokenizer, which :class:`FastTokenizer` cannot reproduce)."""
    out: list[int] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").lstrip("\ufeff").splitlines():
            line = line.strip()
            if not line:
                continue
            match = _USERDICT_LINE.match(line)
            if match is None or match.group(2) is None or int(match.group(2)) == 0:
                return None  # no frequency, or 0 (jieba's "force split"): leave it to jieba
            out.append(int(match.group(2)))
    return out


def _jieba_dictionary_total() -> int:
    """The sum of the frequency column of jieba's ``dict.txt``, every line counted as jieba counts it."""
    with (Path(jieba.__file__).parent / "dict.txt").open("rb") as f:
        return sum(int(line.split(b" ")[1]) for line in f if line.strip())


@lru_cache(maxsize=1 << 16)
def _hmm_cut(buf: str) -> tuple[str, ...]:
    """``jieba.finalseg.cut(buf)`` remembered: the same runs of unknown characters (place and
    person names, set phrases) recur from message to message, and the HMM's Viterbi pass is the
    dearest step of segmenting them. (It depends on ``buf`` alone once the model is loaded: jieba's
    force-split words change only through ``jieba.del_word``, which massline never calls.)"""
    return tuple(finalseg.cut(buf))


class FastTokenizer:
    """jieba's segmentation, token for token, with the word graph and route computed in C++."""

    def __init__(self, dictionaries: list[Path], frequencies: list[int]) -> None:
        import jieba_fast_dat
        from jieba_fast_dat import _jieba_fast_dat_functions_py3 as native

        jieba_fast_dat.setLogLevel(logging.WARNING)
        self._native = native
        self._tok = jieba_fast_dat.Tokenizer(str(Path(jieba.__file__).parent / "dict.txt"))
        self._tok.initialize()
        # The route's log-probabilities divide by the total count; jieba sums every line of its
        # dictionary (a few words are listed twice) and adds every user entry, even a word it
        # already had, so use jieba's figure, not the trie's.
        self.total = float(_jieba_dictionary_total() + sum(frequencies))
        for path in dictionaries:
            self._tok.load_userdict(str(path))
        self._dat: Any = self._tok.dat
        finalseg.load_model()

    def freq(self, word: str) -> int:
        return int(self._tok.get_freq(word))

    def _cut_block(self, block: str, out: list[str]) -> None:
        """jieba's ``Tokenizer.__cut_DAG`` over one block, with the route from C++."""
        route: list[int] = []
        self._native._get_DAG_and_calc(self._dat, block, route, self.total)
        x, n, buf = 0, len(block), ""
        while x < n:
            y = route[x] + 1
            if y - x == 1:
                buf += block[x]
            else:
                if buf:
                    self._flush(buf, out)
                    buf = ""
                out.append(block[x:y])
            x = y
        if buf:
            self._flush(buf, out)

    def _flush(self, buf: str, out: list[str]) -> None:
        """Single characters left between dictionary words: jieba's HMM when they are not a word."""
        if len(buf) == 1:
            out.append(buf)
        elif not self._tok.get_freq(buf):
            out.extend(_hmm_cut(buf))
        else:
            out.extend(buf)

    def lcut(self, sentence: str) -> list[str]:
        """``jieba.Tokenizer.lcut(sentence)`` (accurate mode, HMM on)."""
        out: list[str] = []
        for block in jieba.re_han_default.split(sentence):
            if not block:
                continue
            if jieba.re_han_default.match(block):
                self._cut_block(block, out)
                continue
            for x in jieba.re_skip_default.split(block):
                if jieba.re_skip_default.match(x):
                    out.append(x)
                else:
                    out.extend(x)
        return out

    def tokenize(self, unicode_sentence: str) -> Iterator[tuple[str, int, int]]:
        """``(word, start, end)`` like ``jieba.Tokenizer.tokenize`` (default mode)."""
        start = 0
        for word in self.lcut(unicode_sentence):
            yield word, start, start + len(word)
            start += len(word)


def get_tokenizer(extra: tuple[str, ...] = ()) -> Tokenizer:
    """A tokenizer with the shipped dictionaries (and ``extra`` files) loaded, built once.

    (``get_tokenizer()`` and ``get_tokenizer(())`` are the same tokenizer: an ``lru_cache`` on this
    function itself would load jieba's dictionary twice, once per spelling of the call.)
    """
    return _tokenizer(tuple(extra))


def word_freq(word: str) -> int:
    """How often jieba's dictionary (with ours) counts ``word``; 0 for an unknown word."""
    tok = get_tokenizer()
    return tok.freq(word) if isinstance(tok, FastTokenizer) else int(tok.FREQ.get(word, 0))  # type: ignore[attr-defined]


@lru_cache(maxsize=4)
def _tokenizer(extra: tuple[str, ...]) -> Tokenizer:
    paths = [*dictionary_paths(), *map(Path, extra)]
    with _lock:
        jieba.setLogLevel(logging.WARNING)
        frequencies = _userdict_frequencies(paths)
        if frequencies is not None:
            try:
                return FastTokenizer(paths, frequencies)
            except ImportError:  # no compiled package for this platform: jieba itself
                pass
        tok = jieba.Tokenizer()
        tok.initialize()
        for path in paths:
            tok.load_userdict(str(path))
        return cast(Tokenizer, tok)


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
