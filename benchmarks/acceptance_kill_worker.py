"""Acceptance run (issue #16): kill -9 one of two workers while 10,000 messages are analysed.

Not part of the test suite (minutes of work) nor of ``make bench``; the suite's
``tests/engine/test_engine_broker.py`` runs the same scenario on 500 synthetic messages. Here:
a throw-away PostgreSQL database (``MASSLINE_TEST_DATABASE_URL`` is the admin connection), the
messages of fj2_train.csv, fj3_hot_messages_full.csv and fj4_messages_with_replies_full.csv
ingested, the category model of ``bench_engine`` (fj2_train), two ``massline worker
--concurrency 1`` processes on RabbitMQ (``MASSLINE_TEST_BROKER_URL``, a queue of its own), the
first N messages (``MASSLINE_KILL_MESSAGES``, default 10,000) submitted in chunks as
``massline analyze --all --engine`` does (64 messages, cases opened for routed messages, the
component versions in the key), and ``kill -9`` of one worker's whole process group once half of
the chunks are done. Then it waits for the ledger and checks, with SQL on the database:

* every chunk ``done``, no dead letter, nothing left in the broker queue;
* every message exactly one current result per result key, and a ``route`` result (none lost);
* every routed message exactly one case, no case for a message that was not routed.

Prints one JSON line (``"ok": true`` when every check holds) and exits 1 otherwise.
Run: ``.venv/bin/python benchmarks/acceptance_kill_worker.py`` (about 5 minutes on 2 cores).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import bench_engine
import bench_open311
from sqlalchemy import text

DATA = bench_engine.TRAIN.parent
FILES = [DATA / "fj2_train.csv", DATA / "fj3_hot_messages_full.csv", DATA / "fj4_messages_with_replies_full.csv"]
N = int(os.environ.get("MASSLINE_KILL_MESSAGES", "10000"))
CHUNK = 64
TIMEOUT = float(os.environ.get("MASSLINE_KILL_TIMEOUT", "1800"))

#: each check: name → SQL counting the violations (0 = holds) for the messages of this run
CHECKS = {
    "chunks_not_done": "SELECT count(*) FROM engine_tasks WHERE state <> 'done'",
    "dead_letters": "SELECT count(*) FROM task_failures",
    "duplicate_current_results": "SELECT count(*) FROM (SELECT message_id, key FROM analysis_results WHERE current "
                                 "AND message_id = ANY(:ids) GROUP BY message_id, key HAVING count(*) > 1) d",
    "messages_without_route": "SELECT count(*) FROM unnest(CAST(:ids AS bigint[])) AS m(id) WHERE NOT EXISTS "
                              "(SELECT 1 FROM analysis_results r WHERE r.message_id = m.id AND r.key = 'route' "
                              "AND r.current)",
    "routed_without_one_case": "SELECT count(*) FROM analysis_results r WHERE r.key = 'department' AND r.current "
                               "AND r.value IS NOT NULL AND CAST(r.value AS text) NOT IN ('null', '\"\"') "
                               "AND r.message_id = ANY(:ids) AND (SELECT count(*) FROM work_orders w "
                               "WHERE w.message_id = r.message_id) <> 1",
    "cases_of_unrouted_messages": "SELECT count(*) FROM work_orders w WHERE NOT EXISTS (SELECT 1 FROM "
                                  "analysis_results r WHERE r.message_id = w.message_id AND r.key = 'department' "
                                  "AND r.current AND r.value IS NOT NULL AND CAST(r.value AS text) NOT IN "
                                  "('null', '\"\"'))",
}


def _done(url: str) -> int:
    from massline.db.session import session_scope

    with session_scope(url) as session:
        return int(session.scalar(text("SELECT count(*) FROM engine_tasks WHERE state = 'done'")) or 0)


def acceptance() -> dict[str, Any]:
    from massline.analyze.classify.model import save_model
    from massline.analyze.routing.table import ensure_rules
    from massline.core.config import Settings
    from massline.db.session import session_scope
    from massline.engine import status, submit_chunks, wait
    from massline.engine.celery_app import queue_depth
    from massline.engine.tasks import expected_versions
    from massline.ingest.service import ingest_paths
    from massline.serve.requests import analysis_pipeline

    admin_url = os.environ.get("MASSLINE_TEST_DATABASE_URL", bench_open311.DEFAULT_PG)
    url, _ = bench_open311._prepare_database(admin_url)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(database_url=url, data_dir=Path(tmp), secret_key="bench",
                                broker_url=bench_engine.BROKER, broker_queue=f"massline-kill-{uuid.uuid4().hex[:8]}")
            save_model(bench_engine.bench_model(), settings.models_dir())
            began = time.perf_counter()
            ingest_paths(settings.model_copy(update={"broker_url": None}), FILES)
            ingest_seconds = time.perf_counter() - began
            with session_scope(url) as session:
                ensure_rules(session)
                ids = [int(i) for i in session.scalars(text("SELECT id FROM messages ORDER BY id LIMIT :n"), {"n": N})]
                pipeline = analysis_pipeline(settings, session)
                assert pipeline is not None
                versions = expected_versions(pipeline)
            procs = [bench_engine.start_worker(settings) for _ in range(2)]
            deadline = time.monotonic() + 180
            while status(settings)["workers"] < 2:
                if time.monotonic() > deadline:
                    raise RuntimeError("the workers did not come up within 180 s")
                time.sleep(0.5)
            began = time.perf_counter()
            _, task_ids = submit_chunks(settings, "analyze_chunk", ids, chunk_size=CHUNK,
                                        args={"open_cases": True, "versions": versions})
            while _done(url) < len(task_ids) // 2:
                if time.perf_counter() - began > TIMEOUT:
                    raise RuntimeError("half of the chunks were not done in time")
                time.sleep(0.2)
            killed_at = _done(url)
            kill_seconds = time.perf_counter() - began
            os.killpg(procs[0].pid, signal.SIGKILL)  # the worker and its pool child, no goodbye
            procs[0].wait(10)
            counts = wait(settings, task_ids, timeout=TIMEOUT)
            seconds = time.perf_counter() - began
            with session_scope(url) as session:
                violations = {name: int(session.scalar(text(sql), {"ids": ids}) or 0) if ":ids" in sql
                              else int(session.scalar(text(sql)) or 0) for name, sql in CHECKS.items()}
                routed = int(session.scalar(text("SELECT count(*) FROM work_orders")) or 0)
            violations["broker_queue_left"] = queue_depth(settings) or 0
    finally:
        bench_engine.stop_workers(procs)
        bench_open311._drop_database(admin_url, url)
    return {"name": "acceptance_kill_worker", "ok": not any(violations.values()) and counts["done"] == len(task_ids),
            "messages": len(ids), "chunks": len(task_ids), "chunk_size": CHUNK, "workers": 2,
            "killed_after_chunks_done": killed_at, "killed_after_s": round(kill_seconds, 1),
            "seconds": round(seconds, 1), "messages_per_s": round(len(ids) / seconds, 1),
            "ingest_seconds": round(ingest_seconds, 1), "ledger": counts, "cases_opened": routed,
            "violations": violations, "load_average": [round(x, 2) for x in os.getloadavg()],
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


if __name__ == "__main__":
    result = acceptance()
    print(json.dumps(result, ensure_ascii=False))
    sys.exit(0 if result["ok"] else 1)
