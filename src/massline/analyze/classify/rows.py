"""The classifier's features and margins at prediction time in plain numpy, without scipy or scikit-learn.

Why: predicting needs three sparse TF-IDF blocks and one sparse × dense product, yet importing
scipy.sparse and scikit-learn for them cost a new ``massline analyze`` process more time than
classifying its messages. Here a batch's features are CSR arrays (:class:`Rows`) built with the
fast character n-gram counter, and the margins a numpy product.

Bitwise the same as the scipy/scikit-learn path (``Featurizer.transform`` then
``LinearWeights.margins``; a test compares them on the shipped messages), because every step
repeats the same floating-point operations in the same order:

* tf-idf: ``(1 + log count) · idf`` in float32, as ``TfidfBlock.transform``;
* l2 normalisation as scikit-learn's ``inplace_csr_row_normalize_l2``: the squares in float32,
  summed one after the other in float64 along the row, each value divided by the root in
  float64 and stored as float32;
* the blocks side by side row by row (characters ‖ words ‖ title × title weight), as
  ``scipy.sparse.hstack``;
* margins as scipy's ``csr_matvecs``: per row, ``y += value · weights[column]`` in float32 in the
  row's order, then float64 plus the intercept.

Sums are taken with ``np.cumsum`` (an ordered accumulation; ``np.sum`` and ``np.add.reduceat``
add pairwise, which rounds differently).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from massline.analyze.classify.text import reading_text, split_title

if TYPE_CHECKING:
    from massline.analyze.classify.features import Featurizer, TfidfBlock
    from massline.analyze.classify.nbsvm import LinearWeights


@dataclass
class Rows:
    """A batch's feature matrix as CSR arrays: row ``i`` is ``data[indptr[i]:indptr[i+1]]`` at
    columns ``indices[…]`` (sorted within each block)."""

    data: np.ndarray  # float32
    indices: np.ndarray  # int
    indptr: np.ndarray  # int64, len = rows + 1
    n_features: int

    def __len__(self) -> int:
        return len(self.indptr) - 1


def ordered_row_sums(values: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Per row, the sum of its ``values`` (1-D, or 2-D summed along axis 0) added one after the
    other in the values' dtype, as a C loop does; 0 for an empty row."""
    out = np.zeros((len(indptr) - 1, *values.shape[1:]), dtype=values.dtype)
    for i in np.flatnonzero(indptr[1:] > indptr[:-1]):
        out[i] = np.cumsum(values[indptr[i] : indptr[i + 1]], axis=0, dtype=values.dtype)[-1]
    return out


def _supported(block: TfidfBlock) -> bool:
    return block.kind == "char" and (len(block.vocabulary) == 0 or block.fast_counter().supported)


def block_rows(block: TfidfBlock, docs: Sequence[str]) -> Rows:
    """``block.transform(docs)`` as :class:`Rows` (a character block the fast counter supports)."""
    n_features = len(block.vocabulary)
    if n_features == 0:
        return Rows(np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int32), np.zeros(len(docs) + 1, np.int64), 0)
    data, indices, indptr = block.fast_counter().count_arrays(docs)
    data = (1.0 + np.log(data)) * block.idf32()[indices]
    squares = (data * data).astype(np.float64)  # float32 products, summed in float64 (sklearn's ``sum_``)
    norms = np.sqrt(ordered_row_sums(squares, indptr))
    lengths = np.diff(indptr)
    per_value = np.repeat(np.where(norms == 0.0, 1.0, norms), lengths)
    data = (data.astype(np.float64) / per_value).astype(np.float32)
    return Rows(data, indices, indptr, n_features)


def hstack(blocks: Sequence[Rows]) -> Rows:
    """The blocks side by side: each row holds the first block's values, then the second's …"""
    n_rows = len(blocks[0])
    offsets = np.cumsum([0] + [b.n_features for b in blocks])
    rows = np.concatenate([np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(b.indptr)) for b in blocks])
    order = np.argsort(rows, kind="stable")  # stable: block order, then column order, within a row
    indices = np.concatenate([b.indices.astype(np.int64) + offsets[k] for k, b in enumerate(blocks)])[order]
    data = np.concatenate([b.data for b in blocks])[order]
    indptr = np.sum([b.indptr for b in blocks], axis=0)
    return Rows(data, indices, indptr, int(offsets[-1]))


def feature_rows(featurizer: Featurizer, texts: Sequence[str]) -> Rows | None:
    """``featurizer.transform(texts)`` as :class:`Rows`; None when a block needs the scipy path
    (a features-version-2 model's jieba word block, a vocabulary the fast counter cannot hold)."""
    if not all(_supported(b) for b in (featurizer.chars, featurizer.words, featurizer.titles)):
        return None
    passages = [reading_text(t) for t in texts]
    titles = block_rows(featurizer.titles, [split_title(t)[0] for t in texts])
    titles.data = titles.data * np.float32(featurizer.title_weight)
    return hstack([block_rows(featurizer.chars, passages), block_rows(featurizer.words, passages), titles])


def row_margins(linear: LinearWeights, rows: Rows) -> np.ndarray:
    """``linear.margins`` of the rows: ``X @ weights.T`` in float32, row by row in order, then
    float64 plus the intercept."""
    products = rows.data[:, None] * linear.by_feature[rows.indices]
    result: np.ndarray = ordered_row_sums(products, rows.indptr).astype(np.float64) + linear.intercept
    return result
