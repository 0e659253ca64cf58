"""Fixtures for engine tests: settings with a tiny classifier trained in a second, and stored messages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from massline.analyze.classify.model import CategoryModel, save_model, train_model
from massline.analyze.routing.table import ensure_rules
from massline.core.config import Settings
from massline.db.models import Message, Source
from massline.db.session import session_scope
from massline.engine.embedded import shutdown_all
from massline.serve.departments import seed_departments

#: category → words that make a message of it (one clear word each, so the tiny model is sure)
TOPICS = {
    "环境保护": ("噪音", "污染", "排放", "垃圾焚烧"),
    "交通运输": ("公交", "道路拥堵", "出租车", "地铁"),
    "劳动和社会保障": ("工资", "社保", "养老金", "欠薪"),
}


def _examples() -> list[tuple[str, str]]:
    rows = []
    for label, words in TOPICS.items():
        for i, word in enumerate(words):
            for place in ("A市", "A2区", "K8县"):
                rows.append((f"{place}{word}问题{i}\x1e{place}这里的{word}问题很严重，{word}需要尽快解决。", label))
    return rows


@pytest.fixture(scope="session")
def tiny_model() -> CategoryModel:
    return train_model(_examples(), workers=1)


@pytest.fixture
def engine_settings(db_url: str, tmp_path: Path, tiny_model: CategoryModel) -> Iterator[Settings]:
    """Settings of a migrated database whose data dir holds the tiny model; embedded pools stopped after."""
    settings = Settings(database_url=db_url, data_dir=tmp_path / "data", secret_key="test-secret",
                        task_retry_base=0.01, task_max_retries=1, route_threshold=0.5)
    save_model(tiny_model, settings.models_dir())
    with session_scope(db_url) as session:
        seed_departments(session)
        ensure_rules(session)
    yield settings
    shutdown_all(wait=True)


def add_messages(url: str, n: int) -> list[int]:
    """``n`` stored messages cycling through the topics; their ids."""
    words = [(label, w) for label, ws in TOPICS.items() for w in ws]
    with session_scope(url) as session:
        source = Source(name="engine-test", kind="file")
        session.add(source)
        session.flush()
        rows = []
        for i in range(n):
            _, word = words[i % len(words)]
            rows.append(Message(source_id=source.id, title=f"{word}问题", body=f"A2区第{i}号：这里的{word}问题很严重。",
                                original=f"{word} {i}", content_hash=f"h{i}"))
        session.add_all(rows)
        session.flush()
        return [m.id for m in rows]
