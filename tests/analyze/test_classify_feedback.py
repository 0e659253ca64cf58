"""Dispatchers' confirmed labels become training data for ``massline train classify``."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from massline.analyze.classify.data import read_labelled
from massline.analyze.classify.service import confirmed_examples, train_classifier
from massline.analyze.classify.text import classifier_text
from massline.core.config import Settings
from massline.db.models.routing import TriageDecision
from massline.db.session import get_sessionmaker

TRAIN = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "taidi2020" / "fj2_train.csv"


def test_when_there_is_no_database_yet_then_training_uses_no_confirmed_labels(tmp_path: Path) -> None:
    pairs, note = confirmed_examples(f"sqlite:///{tmp_path / 'none.db'}")
    assert pairs == [] and note == "no database yet"
    assert not (tmp_path / "none.db").exists()


def test_when_the_database_is_not_migrated_then_training_goes_on_and_says_why(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    pairs, note = confirmed_examples(f"sqlite:///{db}")
    assert pairs == [] and "massline db upgrade" in note


def test_when_dispatchers_confirmed_labels_then_the_next_training_uses_them(
        db_url: str, tmp_path: Path, add_messages: Any) -> None:
    with get_sessionmaker(db_url)() as s:
        ids = add_messages(s, [("小区路灯坏了", "晚上一片漆黑"), ("公交改线", "上班不方便")])
        s.add_all([TriageDecision(message_id=ids[0], category="城乡建设", actor="d1"),
                   TriageDecision(message_id=ids[1], category="环境保护", actor="d1"),
                   TriageDecision(message_id=ids[1], category="交通运输", actor="d2")])  # the newest counts
        s.commit()
    pairs, _ = confirmed_examples(db_url)
    assert sorted(pairs) == sorted([(classifier_text("小区路灯坏了", "晚上一片漆黑"), "城乡建设"),
                                    (classifier_text("公交改线", "上班不方便"), "交通运输")])

    settings = Settings(database_url=db_url, data_dir=tmp_path, secret_key="s")
    subset = tmp_path / "subset.csv"
    _write_subset(subset, read_labelled(TRAIN).examples)
    outcome = train_classifier(settings, [subset], dev=subset)
    assert outcome.n_confirmed == 2
    assert outcome.model.meta["n_extra_examples"] == 2
    assert outcome.model.meta["n"] == 7 * 25 + 2


def _write_subset(path: Path, rows: list[Any]) -> None:
    """25 messages per class, in the whitespace-stripped two-column form most train rows have."""
    seen: dict[str, int] = {}
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["留言详情", "一级标签"])
        for ex in rows:
            if seen.get(ex.label, 0) < 25:
                seen[ex.label] = seen.get(ex.label, 0) + 1
                writer.writerow([ex.text, ex.label])
