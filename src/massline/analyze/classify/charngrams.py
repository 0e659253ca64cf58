"""Character n-gram counts for a whole batch in a few numpy operations.

Why: sklearn's ``CountVectorizer(analyzer="char")`` builds every n-gram of every message as a
Python string and looks it up in a dict — about 1,600 strings for an average 附件2 message, which
capped the classifier at ~600 messages/s before any maths. Here each character of the batch is
mapped to a small integer (its rank in the vocabulary's alphabet), an n-gram becomes one 64-bit
key made of its characters' ranks, and the vocabulary is a sorted key array searched with
``np.searchsorted``. The counts are *exactly* sklearn's (same preprocessing: lower case, runs of
whitespace folded to one space; same n-grams; a test compares the matrices), so a model trained
with sklearn's vectorizer predicts the same with this one.

Keys are exact, not hashes: with at most 2**15 - 1 distinct characters in the vocabulary, four
15-bit ranks fit in 60 bits; a rank is never 0 (0 marks a character outside the alphabet, and
an n-gram containing one cannot be in the vocabulary), so n-grams of different lengths cannot
share a key. A vocabulary beyond that (or n-grams longer than 4) falls back to sklearn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

#: sklearn's ``_white_spaces`` pattern: runs of two or more whitespace characters become one space
_WHITE_SPACES = re.compile(r"\s\s+")
_MAX_CODE = 0x110000
#: separates messages in the joined batch; never part of an n-gram (its rank is forced to 0)
_SEPARATOR = "\x00"


class CharNgramCounter:
    """Counts of the vocabulary's character n-grams, one row per text (``scipy.sparse.csr_matrix``)."""

    def __init__(self, vocabulary: Sequence[str] | np.ndarray, ngram_range: tuple[int, int]) -> None:
        self.ngram_range = ngram_range
        terms = np.asarray(vocabulary, dtype=str)
        self.n_features = len(terms)
        lengths = np.char.str_len(terms) if len(terms) else np.zeros(0, dtype=int)
        self.supported = bool(ngram_range[1] <= 4 and ngram_range[0] >= 1 and ((lengths > 0) & (lengths <= 4)).all())
        if not self.supported:
            return
        codes = terms.astype("<U4").view(np.uint32).reshape(len(terms), 4)
        seen = np.zeros(_MAX_CODE, dtype=bool)  # the sorted distinct characters, in one pass (np.unique sorts all)
        seen[codes.ravel()] = True
        seen[0] = False
        alphabet = np.flatnonzero(seen)
        self.supported = len(alphabet) < 2**15 and ord(_SEPARATOR) not in alphabet
        if not self.supported:
            return
        self.bits = max(1, len(alphabet).bit_length())
        self.rank = np.zeros(_MAX_CODE, dtype=np.int32)
        self.rank[alphabet] = np.arange(1, len(alphabet) + 1)
        self.table = _KeyTable(self._keys_of(terms))
        # Prefix-closed (every n-gram's first n-1 characters are in the vocabulary too, as min_df makes
        # them for an n-gram block): an n-gram whose prefix was not found cannot be found, so each
        # longer n only looks up the positions where the shorter one hit.
        longer = codes[lengths > 1].copy()
        longer[np.arange(len(longer)), lengths[lengths > 1] - 1] = 0  # drop each term's last character
        self.prefix_closed = bool(ngram_range[0] == 1 and (
            not len(longer) or (self.table.lookup(self._keys_of(longer.view("<U4").ravel())) >= 0).all()))

    def _keys_of(self, terms: Sequence[str] | np.ndarray) -> np.ndarray:
        """Key of each term (at most 4 characters, so a ``<U4`` array holds it zero-padded)."""
        codes = np.asarray(terms, dtype="<U4").view(np.uint32).reshape(len(terms), 4)
        ranks = self.rank[codes].astype(np.int64)
        known = ranks != 0
        if (known[:, 1:] <= known[:, :-1]).all():
            # every term's ranks, then only padding: all four packed, shifted right past the padding
            packed = (ranks[:, 0] << 3 * self.bits) | (ranks[:, 1] << 2 * self.bits) | (ranks[:, 2] << self.bits)
            packed |= ranks[:, 3]
            shifted: np.ndarray = packed >> (self.bits * (4 - known.sum(axis=1)))
            return shifted
        key = np.zeros(len(terms), dtype=np.int64)
        for j in range(4):  # a rank 0 within a term (a character outside the alphabet) is skipped
            key = np.where(ranks[:, j] != 0, (key << self.bits) | ranks[:, j], key)
        return key

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        """Counts as float32, shape ``(len(docs), len(vocabulary))``; same values as sklearn's vectorizer."""
        import scipy.sparse as sp

        data, indices, indptr = self.count_arrays(docs)
        return sp.csr_matrix((data, indices, indptr), shape=(len(docs), self.n_features))

    def count_arrays(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The counts as CSR arrays ``(data float32, indices int32, indptr int64)``, columns sorted
        within each row — what :meth:`transform` wraps, for callers that need no scipy
        (:mod:`massline.analyze.classify.rows`)."""
        if not self.supported:
            raise ValueError("vocabulary not supported by the fast counter; use sklearn's CountVectorizer")
        n_docs = len(docs)
        if n_docs == 0 or self.n_features == 0:
            return (np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int32),
                    np.zeros(n_docs + 1, dtype=np.int64))
        prepared = [_WHITE_SPACES.sub(" ", d.lower()) for d in docs]
        joined = _SEPARATOR.join(prepared) + _SEPARATOR
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        ranks = self.rank[codes].astype(np.int64)
        lengths = np.fromiter((len(d) + 1 for d in prepared), dtype=np.int64, count=n_docs)
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        low, high = self.ngram_range
        total = len(ranks)
        key = np.zeros(total, dtype=np.int64)
        valid = np.ones(total, dtype=bool)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        for n in range(1, high + 1):
            # key of the n-gram starting at i = key of the (n-1)-gram at i, then the rank at i + n - 1
            shifted = np.zeros(total, dtype=np.int64)
            # n-grams start at the first total - n + 1 positions; none when the whole batch (texts and
            # separators) is shorter than n — e.g. one text of a single character and n = 4, where
            # ``shifted[: total - n + 1]`` (a negative bound) used to be one slot longer than its source
            starts = max(total - n + 1, 0)
            shifted[:starts] = ranks[n - 1 : n - 1 + starts]
            key = (key << self.bits) | shifted
            valid &= shifted != 0
            if n < low:
                continue
            at = np.flatnonzero(valid)
            column = self.table.lookup(key[at])
            hit = column >= 0
            rows.append(doc_of[at[hit]])
            cols.append(column[hit])
            if self.prefix_closed:
                valid[:] = False
                valid[at[hit]] = True
        # one sort of (row, column) cells gives the CSR layout and the counts (duplicates summed)
        cells, counts = np.unique(np.concatenate(rows) * self.n_features + np.concatenate(cols), return_counts=True)
        indptr = np.searchsorted(cells, np.arange(n_docs + 1, dtype=np.int64) * self.n_features)
        return counts.astype(np.float32), (cells % self.n_features).astype(np.int32), indptr


class _KeyTable:
    """Open-addressing hash table from n-gram key to column, probed for a whole array of keys at once.

    Why not ``np.searchsorted`` on sorted keys: twenty dependent random reads per n-gram over a
    600k-entry array made it the largest cost; a table at most half full answers in one or two probes.
    """

    def __init__(self, keys: np.ndarray) -> None:
        size = 1 << max(4, int(2 * len(keys)).bit_length())
        self.shift = np.uint64(64 - (size.bit_length() - 1))
        self.mask = size - 1
        self.keys = np.zeros(size, dtype=np.int64)  # 0 = empty (no key is 0)
        self.columns = np.full(size, -1, dtype=np.int64)
        # Linear probing laid out in one pass: with the keys in order of their home slot, each takes
        # max(its home, the previous key's slot + 1) — a running maximum. (Inserting round by round,
        # each round an ``np.unique``, made loading a model's 568k n-grams take a third of a second.)
        # The rare keys pushed past the end wrap to the first free slots. Which free slot a key takes
        # does not change a lookup's answer: a key is found at its own slot, every slot from its
        # home to there being taken.
        n = len(keys)
        self.max_probes = 0
        if not n:
            return
        hashed = self._hash(keys)
        order = np.argsort(hashed)  # ties in any order: each still takes the next free slot
        home = hashed[order]
        step = np.arange(n, dtype=np.int64)
        slot = np.maximum.accumulate(home - step) + step
        over = slot >= size
        if over.any():
            slot[over] = np.flatnonzero(np.bincount(slot[~over], minlength=size) == 0)[: int(over.sum())]
        self.keys[slot] = keys[order]
        self.columns[slot] = order
        self.max_probes = int(((slot - home) & self.mask).max()) + 1

    def _hash(self, keys: np.ndarray) -> np.ndarray:
        mixed = keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        return (mixed >> self.shift).astype(np.int64)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Column of each key, -1 where the key is not in the vocabulary."""
        result = np.full(len(keys), -1, dtype=np.int64)
        slot = self._hash(keys)
        todo = np.arange(len(keys), dtype=np.int64)
        for _ in range(self.max_probes):
            if not len(todo):
                break
            found = self.keys[slot[todo]]
            match = found == keys[todo]
            result[todo[match]] = self.columns[slot[todo[match]]]
            todo = todo[~match & (found != 0)]
            slot[todo] = (slot[todo] + 1) & self.mask
        return result
