"""The category component with the real classifier: a tiny model trained on ~300 rows of the train split.

Skipped while the classifier package is absent. Trained once per module (a few seconds), saved
into the data directory so ``analyze_messages`` loads it the way ``massline analyze`` does.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from massline.analyze.run import analyze_messages
from massline.core.config import Settings
from massline.store.results import current_results

TRAIN = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "taidi2020" / "fj2_train.csv"


@pytest.fixture(scope="module")
def tiny_model() -> Any:
    classify = pytest.importorskip("massline.analyze.classify.model")
    per_class: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with TRAIN.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            label = row["一级标签"]
            if len(per_class[label]) < 43:
                per_class[label].append((classify.classifier_text(row["留言主题"], row["留言详情"]), label))
    return classify.train_model([e for rows in per_class.values() for e in rows])


def test_when_a_trained_model_is_installed_then_analyze_uses_it_and_routes_by_its_confidence(
    sqlite_url: str, tmp_path: Path, add_messages: Any, tiny_model: Any
) -> None:
    from massline.analyze.classify.model import save_model
    from massline.db.session import get_sessionmaker

    settings = Settings(database_url=sqlite_url, data_dir=tmp_path, secret_key="s", route_threshold=0.5)
    save_model(tiny_model, settings.models_dir())
    s: Session
    with get_sessionmaker(sqlite_url)() as s:
        ids = add_messages(s)
    summary = analyze_messages(settings)
    assert summary.messages == len(ids)
    with get_sessionmaker(sqlite_url)() as s:
        for mid in ids:
            cur = current_results(s, mid)
            category = cur["category"]
            assert category.value in tiny_model.classes
            assert category.version == f"1/{tiny_model.version}"
            confidence = category.confidence
            assert confidence is not None and 0 < confidence <= 1
            assert category.reason.startswith(f"model {tiny_model.version}")
            assert cur["route"].value["queue"] == ("auto" if confidence >= 0.5 else "triage")
    assert sum(summary.categories.values()) == len(ids)
