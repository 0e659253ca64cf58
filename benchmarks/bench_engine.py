"""Analysis throughput on the engine with 1 vs 2 Celery workers (RabbitMQ), in the same run.

The same N messages of fj2_train.csv are ingested once into a fresh database; then, for 1, 2, 2 and
1 worker processes (``massline worker --concurrency 1`` each), the analysis results are
removed, ``analyze_chunk`` tasks of 50 messages are submitted and the clock runs until the ledger
says all are done. The ratio (2 workers ÷ 1) is what scaling out buys on this machine — with 2
cores shared with other jobs it is bounded well below 2. Database: ``MASSLINE_BENCH_DATABASE_URL``
(PostgreSQL recommended), else a SQLite file. Broker: ``MASSLINE_TEST_BROKER_URL`` or the local
RabbitMQ; without one the benchmark reports that it was skipped.

Run: ``.venv/bin/python benchmarks/run.py engine`` (a few minutes).
"""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import delete, text

HERE = Path(__file__).resolve().parents[1]
TRAIN = HERE.parent / "shared" / "data" / "taidi2020" / "fj2_train.csv"
MODELS = HERE / "var" / "bench" / "models"
N = int(os.environ.get("MASSLINE_BENCH_ENGINE_MESSAGES", "1500"))
TRAIN_ROWS = 4800  # fj2_train.csv has 4,827; above this the messages are resampled
BROKER = os.environ.get("MASSLINE_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
#: 1, 2, 2, 1 workers: on a shared machine the load drifts during a run, and interleaving keeps the
#: drift from landing on one side of the ratio (each side is the mean of its two passes).
#: ``MASSLINE_BENCH_ENGINE_ORDER=1,2`` halves a long run (100,000 messages).
ORDER = tuple(int(w) for w in os.environ.get("MASSLINE_BENCH_ENGINE_ORDER", "1,2,2,1").split(","))


def broker_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=2).close()
        return True
    except OSError:
        return False


def start_worker(settings: Any, nice: int = 0, *, idle: bool = False) -> subprocess.Popen[bytes]:
    """A ``massline worker --concurrency 1`` (``nice``: its ``--nice``) in a process group of its own
    (stopped with its pool child by :func:`stop_workers`). In its own session too, unless ``idle``
    (``--idle``): SCHED_IDLE only yields to the processes of its own session group, so an idle
    worker stays in this process's session, with the web processes it must yield to."""
    env = {**os.environ, "PYTHONPATH": f"{HERE / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "MASSLINE_BROKER_URL": BROKER, "MASSLINE_BROKER_QUEUE": settings.broker_queue,
           "MASSLINE_SECRET_KEY": "bench", "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-c", "from massline.cli.app import main; main()", "--database-url",
           settings.resolved_database_url(), "--data-dir", str(settings.data_dir), "worker", "--concurrency", "1",
           "--loglevel", "WARNING", "--nice", str(nice), *(["--idle"] if idle else [])]
    group: dict[str, Any] = {"process_group": 0} if idle else {"start_new_session": True}
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **group)


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    """Stop worker process groups (each worker with its pool child): TERM, then KILL after 30 s."""
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _per_message(before: dict[str, float], after: dict[str, float], submitter: float,
                 messages: int) -> dict[str, float]:
    """CPU milliseconds per message of each part in one pass: where it goes says what bounds the
    ratio — on 2 cores, 2 workers can only double the rate if the database and the submitting
    process use little beside them."""
    used = {part: after[part] - before[part] for part in ("workers", "postgresql", "rabbitmq")}
    used["submitter"] = submitter
    return {**{part: round(1000 * v / messages, 2) for part, v in used.items()},
            "total": round(1000 * sum(used.values()) / messages, 2)}


def _maintain(url: str, statement: str) -> None:
    """Run a maintenance statement (outside a transaction) on PostgreSQL; nothing on SQLite."""
    if not url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def _vacuum(url: str) -> None:
    """What autovacuum would do between passes (it may be off, as on the machine this was written
    on): each pass deletes the previous one's results, and without a vacuum every later pass reads
    around all the dead rows — the fourth pass of a 100,000-message run was twice as slow as the
    first for that alone, which skews the ratio."""
    _maintain(url, "VACUUM analysis_results, engine_tasks, messages")


def _analyze(url: str) -> None:
    """Statistics of the full table after a pass, as autoanalyze keeps them in production. Without
    them the next pass planned with whatever the last ANALYZE saw: statistics of a just-emptied table
    sent a chunk's result look-ups to the ``key`` index (10 values, 80,000 rows read per query by the
    end of a pass) — PostgreSQL used 0.98 instead of 0.31 CPU ms per message, the whole difference
    between 1.32× and the ratio the workers allow."""
    _maintain(url, "ANALYZE analysis_results, messages, engine_tasks")


def bench_model() -> Any:
    """The category model trained on fj2_train.csv, cached in ``var/bench/models`` across runs."""
    from massline.analyze.classify.model import load_model, save_model, train_model
    from massline.core.errors import ModelNotTrainedError

    try:
        return load_model(MODELS)
    except ModelNotTrainedError:
        model = train_model([TRAIN])
        save_model(model, MODELS)
        return model


def run() -> dict[str, Any]:
    if not broker_up():
        return {"metrics": {"skipped": "no RabbitMQ on 127.0.0.1:5672"}, "baseline": {}, "ratio": None}
    from bench_open311_load import cpu_by_part  # it imports this module: not at the top

    from massline.analyze.classify.model import save_model
    from massline.analyze.components import ANALYZE_PIPELINE
    from massline.analyze.routing.table import ensure_rules
    from massline.core.config import Settings
    from massline.db.models.engine import EngineTask
    from massline.db.models.message import AnalysisResult
    from massline.db.session import session_scope, upgrade
    from massline.engine import status, submit_chunks, wait
    from massline.ingest.service import ingest_paths

    model = bench_model()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("MASSLINE_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
        settings = Settings(database_url=url, data_dir=Path(tmp), secret_key="bench", broker_url=BROKER,
                            broker_queue=f"massline-bench-{uuid.uuid4().hex[:8]}")
        upgrade(url)
        subset = Path(tmp) / "subset.csv"
        if N <= TRAIN_ROWS:
            with TRAIN.open(encoding="utf-8", newline="") as src, subset.open("w", encoding="utf-8", newline="") as dst:
                reader = csv.reader(src)
                writer = csv.writer(dst)
                for i, row in enumerate(reader):
                    if i > N:
                        break
                    writer.writerow(row)
        else:  # more than 附件2 has: resampled messages (perturbed bodies), as the bulk benchmark makes them
            import bench_bulk

            bench_bulk.make_csv(subset, N)
        began = time.perf_counter()
        ingest_paths(settings, [subset])
        ingest_s = time.perf_counter() - began
        save_model(model, settings.models_dir())
        with session_scope(url) as session:
            ensure_rules(session)
            ids = [int(i) for i in session.scalars(text("SELECT id FROM messages ORDER BY id"))]
        rates: dict[str, float] = {}
        passes: dict[int, list[float]] = {1: [], 2: []}
        cpu: dict[int, list[dict[str, float]]] = {1: [], 2: []}
        for workers in ORDER:
            with session_scope(url) as session:
                session.execute(delete(AnalysisResult).where(AnalysisResult.component.in_(ANALYZE_PIPELINE)))
                session.execute(delete(EngineTask))
            _vacuum(url)
            procs = [start_worker(settings) for _ in range(workers)]
            try:
                deadline = time.monotonic() + 180
                while status(settings)["workers"] < workers and time.monotonic() < deadline:
                    time.sleep(0.5)
                before, own = cpu_by_part([], [p.pid for p in procs]), time.process_time()
                started = time.perf_counter()
                _, task_ids = submit_chunks(settings, "analyze_chunk", ids, chunk_size=50)
                counts = wait(settings, task_ids, timeout=max(1800, N // 20))
                elapsed = time.perf_counter() - started
                after = cpu_by_part([], [p.pid for p in procs])
                assert counts["done"] == len(task_ids), counts
                passes[workers].append(len(ids) / elapsed)
                cpu[workers].append(_per_message(before, after, time.process_time() - own, len(ids)))
                _analyze(url)
            finally:
                stop_workers(procs)
                time.sleep(16)  # let the stopped workers' heartbeats go stale before the next count
        with session_scope(url) as session:
            analysed = session.scalar(text("SELECT count(DISTINCT message_id) FROM analysis_results "
                                           "WHERE key = 'route' AND current"))
    for workers, runs in passes.items():
        rates[f"{workers}_workers_messages_per_s"] = round(sum(runs) / len(runs), 1)
    cpu_ms = {f"{workers}_workers": {part: round(sum(r[part] for r in runs) / len(runs), 2) for part in runs[0]}
              for workers, runs in cpu.items() if runs}
    pass_ratios = [round(two / one, 2) for one, two in zip(passes[1], passes[2], strict=False)]
    ratio = rates["2_workers_messages_per_s"] / rates["1_workers_messages_per_s"]
    return {"metrics": {**rates, "messages": len(ids), "analysed": analysed, "two_vs_one_worker_ratio": round(ratio, 2),
                        "pass_ratios": pass_ratios, "cpu_ms_per_message": cpu_ms, "order": list(ORDER),
                        "ingest_s": round(ingest_s, 1),
                        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
                        # a ratio measured while other jobs compete for the 2 cores says little:
                        # two processes simply get a larger share of a crowded machine
                        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()]},
            "baseline": {"1 worker messages/s": rates["1_workers_messages_per_s"]}, "ratio": round(ratio, 2),
            "data": f"first {N} rows of ../shared/data/taidi2020/fj2_train.csv" if N <= TRAIN_ROWS
            else f"{N} messages resampled from ../shared/data/taidi2020/fj2_train.csv (guide.stream.resample)"}
