"""Sparse TF-IDF vectors as ``{word: weight}`` with document frequencies that can grow online.

Why dictionaries and not a fitted ``TfidfVectorizer``: issues are formed one message at a time (online,
as messages arrive), over a vocabulary that keeps growing; a message has ~50 distinct words, so a dict
dot product against a few candidate centroids is cheaper than rebuilding a matrix, and memory stays
bounded by the vocabulary, not by the number of messages.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

Vector = dict[str, float]


class DocFreq:
    """Document frequencies; ``idf`` is the smoothed ``log((N+1)/(df+1)) + 1`` of scikit-learn."""

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0

    def add(self, words: Iterable[str]) -> None:
        self.df.update(set(words))
        self.n += 1

    def idf(self, word: str) -> float:
        return math.log((self.n + 1) / (self.df.get(word, 0) + 1)) + 1.0

    def vector(self, words: Iterable[str]) -> Vector:
        """Sublinear tf × idf, L2-normalised (empty for a message without content words)."""
        tf = Counter(words)
        vec = {w: (1.0 + math.log(c)) * self.idf(w) for w, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {w: v / norm for w, v in vec.items()} if norm else {}


def dot(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


class Centroid:
    """A running sum of unit vectors with its norm kept up to date (cosine to it = dot / norm)."""

    __slots__ = ("norm2", "total")

    def __init__(self) -> None:
        self.total: Vector = {}
        self.norm2 = 0.0

    def add(self, vec: Vector) -> None:
        total = self.total
        for w, v in vec.items():
            old = total.get(w, 0.0)
            total[w] = old + v
            self.norm2 += 2.0 * old * v + v * v

    def cosine(self, vec: Vector) -> float:
        if self.norm2 <= 0.0:
            return 0.0
        return dot(vec, self.total) / math.sqrt(self.norm2)

    def prune(self, keep: int) -> None:
        """Keep the ``keep`` heaviest words (bounds memory on long streams; the norm is recomputed)."""
        if len(self.total) > 2 * keep:
            top = sorted(self.total.items(), key=lambda kv: -kv[1])[:keep]
            self.total = dict(top)
            self.norm2 = sum(v * v for _, v in top)

    def top(self, n: int) -> list[str]:
        return [w for w, _ in sorted(self.total.items(), key=lambda kv: -kv[1])[:n]]
