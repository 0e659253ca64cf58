"""The shipped model's figures: trained on the whole train split, checked on the dev split.

Slow (about a minute): the figures the README quotes must stay true.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from massline.analyze.classify.data import read_labelled
from massline.analyze.classify.evaluate import evaluate
from massline.analyze.classify.model import train_model
from massline.core.config import Settings

TAIDI = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "taidi2020"


@pytest.mark.slow
def test_when_trained_on_the_train_split_then_dev_beats_the_baseline_and_routes_safely() -> None:
    model = train_model([TAIDI / "fj2_train.csv"])
    result = evaluate(model, read_labelled(TAIDI / "fj2_dev.csv").examples, Settings().route_threshold)
    assert result.n == 851
    assert result.macro_f1 >= 0.925  # issue 4 target; TF-IDF char 1-3 + jieba LinearSVC baseline: 0.910
    assert result.coverage_at_threshold >= 0.80
    assert result.accuracy_at_threshold >= 0.98
    # The threshold the model chose itself: lower 95 % Wilson bound of out-of-fold accuracy ≥ 98 %, and it
    # holds on the unseen dev split (issue 10: the point-estimate threshold gave 97.1 % on unseen data).
    routing = model.meta["routing"]
    assert routing["met"] and routing["wilson_lower"] >= 0.98
    chosen = evaluate(model, read_labelled(TAIDI / "fj2_dev.csv").examples, routing["threshold"])
    assert chosen.accuracy_at_threshold >= 0.98 and chosen.coverage_at_threshold >= 0.65
