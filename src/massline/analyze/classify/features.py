"""TF-IDF features stored as plain arrays (vocabulary + idf), so the artifact is a numpy ``.npz``
that loads without pickle and in well under a second.

Why not store the fitted ``TfidfVectorizer``: with ~600k n-grams its vocabulary dictionary
makes a skops file of ~300 MB that takes tens of seconds to load; two arrays hold the same thing.
The maths is sklearn's ``TfidfVectorizer(sublinear_tf=True, norm="l2")``: (1 + log tf) · idf,
then unit length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from massline.analyze.classify.charngrams import CharNgramCounter
from massline.analyze.classify.text import reading_text, segmented, split_title

if TYPE_CHECKING:
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer

# scipy and scikit-learn are imported inside the functions that use them (training, the sparse
# matrices of evaluation and explanation): prediction goes through ``classify.rows`` without them.

WORD_PATTERN = r"\S+"


@dataclass
class TfidfBlock:
    """One vocabulary (characters or jieba words) with its idf weights."""

    kind: str  # "char" or "word"
    ngram_range: tuple[int, int]
    vocabulary: np.ndarray  # feature names, index = column
    idf: np.ndarray
    _counter: CountVectorizer | None = None
    _fast: CharNgramCounter | None = None
    _idf32: np.ndarray | None = None

    def fast_counter(self) -> CharNgramCounter:
        """The batch counter of this (character) block's vocabulary, built once."""
        if self._fast is None:
            self._fast = CharNgramCounter(self.vocabulary, self.ngram_range)
        return self._fast

    def idf32(self) -> np.ndarray:
        """The idf as float32 (what multiplies the float32 counts), converted once."""
        if self._idf32 is None:
            self._idf32 = self.idf.astype(np.float32)
        return self._idf32

    def counts(self, docs: Sequence[str]) -> sp.csr_matrix:
        """Raw counts of the block's terms; character blocks use the batch counter (same counts as
        sklearn's, several times faster — see :mod:`massline.analyze.classify.charngrams`)."""
        import scipy.sparse as sp

        if self.kind == "char" and self.fast_counter().supported:
            return self.fast_counter().transform(docs)
        return sp.csr_matrix(self.counter().transform(docs), dtype=np.float32)

    def counter(self) -> CountVectorizer:
        from sklearn.feature_extraction.text import CountVectorizer

        if self._counter is None:
            vocab = {str(term): i for i, term in enumerate(self.vocabulary)}
            self._counter = (CountVectorizer(analyzer="char", ngram_range=self.ngram_range, vocabulary=vocab,
                                             lowercase=True, dtype=np.float32) if self.kind == "char" else
                             CountVectorizer(token_pattern=WORD_PATTERN, ngram_range=self.ngram_range,
                                             vocabulary=vocab, lowercase=False, dtype=np.float32))
        return self._counter

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        import scipy.sparse as sp
        from sklearn.preprocessing import normalize

        if len(self.vocabulary) == 0:
            return sp.csr_matrix((len(docs), 0), dtype=np.float32)
        counts = self.counts(docs)
        counts.data = (1.0 + np.log(counts.data)) * self.idf32()[counts.indices]
        result: sp.csr_matrix = normalize(counts, norm="l2", copy=False)
        return result


def fit_block(kind: str, docs: Sequence[str], ngram_range: tuple[int, int], min_df: int) -> tuple[TfidfBlock,
                                                                                                  sp.csr_matrix]:
    """Fit a block on ``docs`` (already segmented for ``word``); returns it and the training matrix."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

    if kind == "char":
        vec = TfidfVectorizer(analyzer="char", ngram_range=ngram_range, sublinear_tf=True, min_df=min_df,
                              dtype=np.float32)
    else:
        vec = TfidfVectorizer(token_pattern=WORD_PATTERN, ngram_range=ngram_range, lowercase=False,
                              sublinear_tf=True, min_df=min_df, dtype=np.float32)
    try:
        matrix = sp.csr_matrix(vec.fit_transform(docs))
    except ValueError:  # no term reaches min_df (e.g. a small set whose messages have no titles)
        empty = TfidfBlock(kind, ngram_range, np.zeros(0, dtype=str), np.zeros(0, dtype=np.float32))
        return empty, sp.csr_matrix((len(docs), 0), dtype=np.float32)
    block = TfidfBlock(kind, ngram_range, vec.get_feature_names_out().astype(str),
                       np.asarray(vec.idf_, dtype=np.float32))
    return block, matrix


def fit_dictionary_block(docs: Sequence[str], min_df: int, max_len: int = 4) -> tuple[TfidfBlock, sp.csr_matrix]:
    """The words jieba finds in the training passages (in at least ``min_df`` of them, at most
    ``max_len`` characters), counted as *substrings* of a passage: a character block whose
    vocabulary is a dictionary of words.

    Why not jieba's words at prediction time: segmenting a message costs more than everything
    else the classifier does (jieba runs at ~600 messages/s on 附件2 texts, the rest at several
    thousand), and in 5-fold cross-validation on the train split this block gave the same
    macro-F1 as the segmented word block (0.917 vs 0.917; characters alone: 0.911). jieba is
    needed only to choose the dictionary, at training time.
    """
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    tokens = CountVectorizer(token_pattern=WORD_PATTERN, lowercase=False, min_df=min_df)
    try:
        tokens.fit(segmented(docs))
    except ValueError:  # no word reaches min_df
        return fit_block("char", [], (1, max_len), min_df)[0], sp.csr_matrix((len(docs), 0), dtype=np.float32)
    words = [str(w) for w in tokens.get_feature_names_out() if len(w) <= max_len and str(w).lower() == w]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, max_len), vocabulary=words, sublinear_tf=True,
                          dtype=np.float32)
    matrix = sp.csr_matrix(vec.fit_transform(docs))
    block = TfidfBlock("char", (1, max_len), np.asarray(words, dtype=str), np.asarray(vec.idf_, dtype=np.float32))
    return block, matrix


@dataclass
class Featurizer:
    """Character n-grams ‖ dictionary words of title + body, each block unit-normalised, ‖ character
    n-grams of the title alone scaled by ``title_weight``.

    The middle block is jieba-segmented words (``kind == "word"``, models of features version 2)
    or, since features version 3, jieba's training vocabulary counted as substrings
    (``kind == "char"``, :func:`fit_dictionary_block`), which needs no segmentation to predict.

    Why the title block: a title is a person's one-line summary of the request, so its words say
    more about the category than the same words deep in the body; in 5-fold cross-validation on
    the train split it added 0.5 points of macro-F1 and 1 point of routing coverage (weights
    0.3–1 all gave the same gain; 0.5 sits in the middle). Messages without a title (two thirds
    of the shipped training rows) simply have an empty block.
    """

    chars: TfidfBlock
    words: TfidfBlock
    titles: TfidfBlock
    title_weight: float

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        import scipy.sparse as sp

        passages = [reading_text(t) for t in texts]
        titles = self.titles.transform([split_title(t)[0] for t in texts]) * np.float32(self.title_weight)
        words = self.words.transform(segmented(passages) if self.words.kind == "word" else passages)
        return sp.hstack([self.chars.transform(passages), words, titles], format="csr")

    def names(self) -> np.ndarray:
        return np.concatenate([self.chars.vocabulary, self.words.vocabulary, self.titles.vocabulary])


def fit_featurizer(texts: Sequence[str], char_ngrams: tuple[int, int], min_df: int, title_ngrams: tuple[int, int],
                   title_weight: float) -> tuple[Featurizer, sp.csr_matrix]:
    """Fit the three blocks on :func:`classifier_text` strings; returns the featurizer and the training matrix."""
    import scipy.sparse as sp

    passages = [reading_text(t) for t in texts]
    chars, char_matrix = fit_block("char", passages, char_ngrams, min_df)
    words, word_matrix = fit_dictionary_block(passages, min_df)
    titles, title_matrix = fit_block("char", [split_title(t)[0] for t in texts], title_ngrams, min_df)
    matrix = sp.hstack([char_matrix, word_matrix, title_matrix * np.float32(title_weight)], format="csr")
    return Featurizer(chars, words, titles, title_weight), matrix
