"""The engine on a real RabbitMQ with real worker processes: kill -9 one mid-batch, nothing lost or doubled.

Needs ``MASSLINE_TEST_BROKER_URL`` (``.ci/run`` sets it; e.g. amqp://guest:guest@127.0.0.1:5672//) and
PostgreSQL; skipped visibly otherwise. Each run uses its own queue, deleted afterwards.
"""

from __future__ import annotations

import os
import signal

from sqlalchemy import func, select
from tests.engine.conftest import add_messages, start_worker, stop_workers, wait_for
from tests.engine.test_engine_embedded import assert_exactly_once

from massline.core.config import Settings
from massline.db.models.engine import EngineTask
from massline.db.session import session_scope
from massline.engine import status, submit_chunks, wait

MESSAGES = 500


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
        stop_workers(workers)
