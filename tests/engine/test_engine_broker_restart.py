"""RabbitMQ restarted while two real workers analyse a batch: nothing lost, nothing doubled.

Needs ``MASSLINE_TEST_BROKER_URL``, PostgreSQL and ``rabbitmqctl`` able to stop and start the
local node (``.ci/run`` runs as the owner of the broker it starts); skipped visibly otherwise.
The restart stops the whole RabbitMQ application for a few seconds, so every other client of
that broker (other test runs, other queues) sees it too — one restart per run.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.engine.conftest import add_messages, start_worker, stop_workers, wait_for
from tests.engine.test_engine_embedded import assert_exactly_once

from massline.core.config import Settings
from massline.db.models.engine import EngineTask, TaskFailure
from massline.db.session import session_scope
from massline.engine import status, submit_chunks, wait

#: enough that the batch outlasts ``rabbitmqctl stop_app`` (seconds) even on warm, fast workers
MESSAGES = 1500
#: submitted while the broker is down: recorded, not published, found by the workers' sweep
LATE_MESSAGES = 100
#: submitted by the same process once the broker is back
AFTER_MESSAGES = 40
DOWN_SECONDS = 5.0


def _rabbitmqctl(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def rabbitmqctl() -> None:
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl not found: the broker-restart test needs to stop and start the local RabbitMQ")
    answer = _rabbitmqctl("status", timeout=30)
    if answer.returncode != 0:
        pytest.skip(f"rabbitmqctl cannot control the local node: {answer.stderr.strip()[:200]}")


@contextmanager
def broker_down() -> Iterator[None]:
    """RabbitMQ's application stopped inside the block (``stop_app`` … ``start_app``): durable queues
    and persistent messages survive, every connection is dropped and unacknowledged deliveries go
    back to their queue; new connections are refused until ``start_app``."""
    stopped = _rabbitmqctl("stop_app")
    assert stopped.returncode == 0, stopped.stderr
    try:
        yield
    finally:
        started = _rabbitmqctl("start_app")
        assert started.returncode == 0, started.stderr


def _done(settings: Settings) -> int:
    with session_scope(settings.resolved_database_url()) as session:
        return session.scalar(select(func.count()).select_from(EngineTask).where(EngineTask.state == "done")) or 0


@pytest.mark.usefixtures("rabbitmqctl")
def test_broker_restart_mid_batch_loses_and_doubles_nothing(broker_settings: Settings, tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    settings = broker_settings
    url = settings.resolved_database_url()
    ids = add_messages(url, MESSAGES)
    logs = [tmp_path / f"worker{i}.log" for i in range(2)]
    workers = [start_worker(settings, log) for log in logs]
    try:
        assert wait_for(lambda: status(settings)["workers"] == 2, 90), "workers did not come up"
        _, task_ids = submit_chunks(settings, "analyze_chunk", ids, chunk_size=20, args={"open_cases": True})
        assert wait_for(lambda: _done(settings) >= 3, 60)
        with broker_down():
            assert _done(settings) < len(task_ids), "the batch finished before the broker went down: nothing tested"
            late = add_messages(url, LATE_MESSAGES, "submitted-while-down")
            began = time.monotonic()
            _, late_tasks = submit_chunks(settings, "analyze_chunk", late, chunk_size=20, args={"open_cases": True})
            assert time.monotonic() - began < 30, "submitting to a stopped broker should give up quickly"
            time.sleep(DOWN_SECONDS)
        # this process published before the restart: its pooled broker connection is dead, a publish reconnects
        after = add_messages(url, AFTER_MESSAGES, "submitted-after-restart")
        caplog.clear()
        _, after_tasks = submit_chunks(settings, "analyze_chunk", after, chunk_size=20, args={"open_cases": True})
        assert "broker unreachable" not in caplog.text
        task_ids += late_tasks + after_tasks
        counts = wait(settings, task_ids, timeout=240)
        tails = "\n".join(log.read_text(errors="replace")[-3000:] for log in logs)
        assert counts == {"queued": 0, "running": 0, "done": len(task_ids), "failed": 0}, (counts, tails)
        assert_exactly_once(settings, ids + late + after)
        with session_scope(url) as session:
            assert session.scalar(select(func.count()).select_from(TaskFailure)) == 0
        final = status(settings)
        assert (final["queued"], final["running"], final["failed"], final["broker_queued"]) == (0, 0, 0, 0)
        assert final["workers"] == 2, "a worker did not survive the broker restart"
    finally:
        stop_workers(workers)
