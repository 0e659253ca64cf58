"""Prediction without scipy/scikit-learn (``classify.rows``) gives bitwise the features, margins,
probabilities and explanations of the sparse-matrix path, and needs neither library."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from massline.analyze.classify.data import Example, read_labelled
from massline.analyze.classify.model import CategoryModel, train_model
from massline.analyze.classify.rows import ordered_row_sums

from .test_classify import DEV, _subset

TRAIN_PER_CLASS = 40


@pytest.fixture(scope="module")
def model() -> CategoryModel:
    from .test_classify import TRAIN

    return train_model(_subset(TRAIN, TRAIN_PER_CLASS))


@pytest.fixture(scope="module")
def texts() -> list[str]:
    examples: list[Example] = read_labelled(DEV).examples
    # short and empty texts, titles alone, bodies alone: empty blocks and one-character batches
    return [e.text for e in examples[:300]] + ["", "a", "一", "\x1e", "标题\x1e", "\x1e正文", "ab", "物业"]


def _sparse_path(model: CategoryModel, texts: list[str]) -> tuple[object, np.ndarray, np.ndarray]:
    features = model.features(texts)
    margins = model.linear.margins(features)
    return features, margins, model.calibration.proba(margins)


@pytest.mark.parametrize("size", [1, 7, 64, 400])
def test_rows_give_bitwise_the_sparse_paths_features_margins_and_probabilities(
        model: CategoryModel, texts: list[str], size: int) -> None:
    for start in range(0, len(texts), size):
        batch = texts[start : start + size]
        features, margins, proba = _sparse_path(model, batch)
        rows, fast_margins = model.rows_and_margins(batch)
        assert np.array_equal(rows.indptr, features.indptr)  # type: ignore[attr-defined]
        assert np.array_equal(rows.indices, features.indices)  # type: ignore[attr-defined]
        assert rows.data.dtype == np.float32
        assert rows.data.tobytes() == features.data.tobytes()  # type: ignore[attr-defined]
        assert fast_margins.dtype == margins.dtype and fast_margins.tobytes() == margins.tobytes()
        assert model.predict_proba(batch).tobytes() == proba.tobytes()


def test_explanations_and_labels_are_those_of_the_sparse_path(
        model: CategoryModel, texts: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    fast = model.predict_explained(texts)
    with monkeypatch.context() as patch:  # the fallback: scipy's matrix and product, as before classify.rows
        patch.setattr("massline.analyze.classify.model.feature_rows", lambda *_: None)
        slow = model.predict_explained(texts)
    assert fast == slow


def test_ordered_row_sums_add_in_order_not_pairwise() -> None:
    values = np.asarray([1.0, 1e-8, 1e-8, 1e-8, 1e-8, 1e-8, 1e-8, 1e-8, 1e-8, 1e-8] * 20, dtype=np.float32)
    sequential = np.float32(0.0)
    for v in values:
        sequential = np.float32(sequential + v)
    sums = ordered_row_sums(values, np.asarray([0, 0, len(values)]))
    assert sums[0] == 0.0 and sums[1] == sequential


def test_a_saved_model_predicts_without_importing_scipy_or_sklearn(model: CategoryModel, tmp_path: object) -> None:
    from pathlib import Path

    from massline.analyze.classify.model import save_model

    folder = Path(str(tmp_path))
    save_model(model, folder)
    code = ("import sys\nfrom pathlib import Path\nfrom massline.analyze.classify.model import load_model\n"
            f"m = load_model(Path({str(folder)!r}))\nm.predict_explained(['小区物业乱收费\\x1e物业公司每月多收钱'])\n"
            "print(sorted(n for n in ('scipy', 'sklearn') if n in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
