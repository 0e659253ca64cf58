"""Fixtures for engine tests: settings with a tiny classifier trained in a second, and stored messages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.paths import SRC

from massline.analyze.classify.model import CategoryModel, save_model, train_model
from massline.analyze.routing.table import ensure_rules
from massline.core.config import Settings
from massline.db.models import Message, Source
from massline.db.session import session_scope
from massline.engine.embedded import shutdown_all
from massline.serve.departments import seed_departments

BROKER = os.environ.get("MASSLINE_TEST_BROKER_URL")

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


def add_messages(url: str, n: int, source_name: str = "engine-test") -> list[int]:
    """``n`` stored messages of a new source cycling through the topics; their ids."""
    words = [(label, w) for label, ws in TOPICS.items() for w in ws]
    with session_scope(url) as session:
        source = Source(name=source_name, kind="file")
        session.add(source)
        session.flush()
        rows = []
        for i in range(n):
            _, word = words[i % len(words)]
            rows.append(Message(source_id=source.id, title=f"{word}问题", body=f"A2区第{i}号：这里的{word}问题很严重。",
                                original=f"{word} {i}", content_hash=f"{source_name}-{i}"))
        session.add_all(rows)
        session.flush()
        return [m.id for m in rows]


@pytest.fixture
def broker_settings(engine_settings: Settings) -> Iterator[Settings]:
    """Engine settings on the real broker (PostgreSQL only) with a queue of this test's own, deleted after."""
    if not BROKER:
        pytest.skip("RabbitMQ not configured: set MASSLINE_TEST_BROKER_URL to run the real-broker tests")
    if engine_settings.resolved_database_url().startswith("sqlite"):
        pytest.skip("the multi-process broker test runs on PostgreSQL (the production database)")
    queue = f"massline-test-{uuid.uuid4().hex[:8]}"
    settings = engine_settings.model_copy(update={"broker_url": BROKER, "broker_queue": queue,
                                                  "task_retry_base": 0.2, "task_max_retries": 5,
                                                  "task_republish_after": 10.0})
    yield settings
    from massline.engine.celery_app import celery_app

    with celery_app(BROKER, settings.broker_queue).connection_for_write() as conn:
        conn.default_channel.queue_delete(settings.broker_queue)


def start_worker(settings: Settings, log: Path | None = None) -> subprocess.Popen[bytes]:
    """A ``massline worker --concurrency 1`` process in its own process group (so ``kill -9`` of the
    group takes its pool child too); its output goes to ``log`` when given."""
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "MASSLINE_BROKER_URL": str(settings.broker_url), "MASSLINE_BROKER_QUEUE": settings.broker_queue,
           "MASSLINE_SECRET_KEY": "test-secret", "MASSLINE_ROUTE_THRESHOLD": str(settings.route_threshold),
           "MASSLINE_TASK_RETRY_BASE": str(settings.task_retry_base),
           "MASSLINE_TASK_REPUBLISH_AFTER": str(settings.task_republish_after)}
    cmd = [sys.executable, "-c", "from massline.cli.app import main; main()",
           "--database-url", settings.resolved_database_url(), "--data-dir", str(settings.data_dir),
           "worker", "--concurrency", "1", "--loglevel", "WARNING"]
    out = log.open("wb") if log is not None else subprocess.DEVNULL
    return subprocess.Popen(cmd, env=env, start_new_session=True, stdout=out, stderr=subprocess.STDOUT)


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    """Stop worker process groups: TERM (a warm shutdown), KILL after 15 s."""
    for proc in workers:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False
