"""The engine on a real RabbitMQ with real worker processes: kill -9 one mid-batch, nothing lost or doubled.

Needs ``MASSLINE_TEST_BROKER_URL`` (``.ci/run`` sets it; e.g. amqp://guest:guest@127.0.0.1:5672//) and
PostgreSQL; skipped visibly otherwise. Each run uses its own queue, deleted afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.engine.conftest import add_messages
from tests.engine.test_engine_embedded import assert_exactly_once

from massline.core.config import Settings
from massline.db.models.engine import EngineTask
from massline.db.session import session_scope
from massline.engine import status, submit_chunks, wait

BROKER = os.environ.get("MASSLINE_TEST_BROKER_URL")
SRC = Path(__file__).resolve().parents[2] / "src"
MESSAGES = 500


@pytest.fixture
def broker_settings(engine_settings: Settings) -> Iterator[Settings]:
    if not BROKER:
        pytest.skip("RabbitMQ not configured: set MASSLINE_TEST_BROKER_URL to run the real-broker tests")
    if engine_settings.resolved_database_url().startswith("sqlite"):
        pytest.skip("the multi-process broker test runs on PostgreSQL (the production database)")
    queue = f"massline-test-{uuid.uuid4().hex[:8]}"
    settings = engine_settings.model_copy(update={"broker_url": BROKER, "broker_queue": queue,
                                                  "task_retry_base": 0.2, "task_max_retries": 5})
    yield settings
    from massline.engine.celery_app import celery_app

    with celery_app(BROKER, settings.broker_queue).connection_for_write() as conn:
        conn.default_channel.queue_delete(settings.broker_queue)


def start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "MASSLINE_BROKER_URL": str(settings.broker_url), "MASSLINE_BROKER_QUEUE": settings.broker_queue,
           "MASSLINE_SECRET_KEY": "test-secret", "MASSLINE_ROUTE_THRESHOLD": str(settings.route_threshold),
           "MASSLINE_TASK_RETRY_BASE": "0.2"}
    cmd = [sys.executable, "-c", "from massline.cli.app import main; main()",
           "--database-url", settings.resolved_database_url(), "--data-dir", str(settings.data_dir),
           "worker", "--concurrency", "1", "--loglevel", "WARNING"]
    return subprocess.Popen(cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def wait_for(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def test_kill_9_a_worker_mid_batch_loses_and_doubles_nothing(broker_settings: Settings) -> None:
    settings = broker_settings
    ids = add_messages(settings.resolved_database_url(), MESSAGES)
    workers = [start_worker(settings), start_worker(settings)]
    try:
        assert wait_for(lambda: status(settings)["workers"] == 2, 90), "workers did not come up"
        _, task_ids = submit_chunks(settings, "analyze_chunk", ids, chunk_size=20, args={"open_cases": True})

        def some_done() -> bool:
            with session_scope(settings.resolved_database_url()) as session:
                return (session.scalar(select(func.count()).select_from(EngineTask)
                                       .where(EngineTask.state == "done")) or 0) >= 3

        assert wait_for(some_done, 60)
        os.killpg(workers[0].pid, signal.SIGKILL)  # the whole worker: main process and its pool child
        workers[0].wait(10)
        counts = wait(settings, task_ids, timeout=90)
        assert counts == {"queued": 0, "running": 0, "done": len(task_ids), "failed": 0}
        assert_exactly_once(settings, ids)
        final = status(settings)
        assert (final["queued"], final["running"], final["failed"]) == (0, 0, 0)
        assert wait_for(lambda: status(settings)["workers"] == 1, 40), "the killed worker still counts as live"
    finally:
        for proc in workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
