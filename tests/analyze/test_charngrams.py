"""The batch character n-gram counter gives exactly sklearn's counts (so a model's features do not change)."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from massline.analyze.classify.charngrams import CharNgramCounter

DOCS = ["A市A2区泉塘街道噪音扰民。噪音太大", "ABC  def\t\tＧ ｇ", "", "İstanbul x", "a\ud800b 工资",
        "拖欠工资三个月，工资", "！？。。", "x"]


def test_counts_equal_sklearn_for_ngram_and_dictionary_vocabularies() -> None:
    fitted = CountVectorizer(analyzer="char", ngram_range=(1, 4)).fit(DOCS[:2] + DOCS[5:])
    ngrams = [str(t) for t in fitted.get_feature_names_out()]
    words = ["噪音", "工资", "泉塘街道", "拖欠", "abc", "三个月"]  # a dictionary: not prefix-closed
    for vocabulary in (ngrams, words):
        fast = CharNgramCounter(vocabulary, (1, 4))
        assert fast.supported
        slow = CountVectorizer(analyzer="char", ngram_range=(1, 4), vocabulary=vocabulary, dtype=np.float32)
        expected = slow.transform(DOCS).toarray()
        assert np.array_equal(fast.transform(DOCS).toarray(), expected)
    assert CharNgramCounter(ngrams, (1, 4)).prefix_closed
    assert not CharNgramCounter(words, (1, 4)).prefix_closed


def test_unsupported_vocabulary_is_said_not_guessed() -> None:
    assert not CharNgramCounter(["一二三四五"], (1, 5)).supported


def test_a_batch_of_texts_shorter_than_the_longest_ngram_is_counted_not_crashed() -> None:
    # the whole batch (texts and separators) shorter than 4 characters: ``shifted[: total - n + 1]``
    # with a negative bound was once one slot longer than its source (a broadcast error)
    vocabulary = ["a", "b", "ab", "abc", "abcd", "工"]
    fast = CharNgramCounter(vocabulary, (1, 4))
    slow = CountVectorizer(analyzer="char", ngram_range=(1, 4), vocabulary=vocabulary, dtype=np.float32)
    for docs in (["a"], ["工"], ["", ""], ["a", ""], ["ab"], [""], ["a", "b", "工"]):
        assert np.array_equal(fast.transform(docs).toarray(), slow.transform(docs).toarray()), docs
