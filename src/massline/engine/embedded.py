"""The embedded engine: ledger tasks run on a thread pool inside this process (no broker).

Why threads: the demo and the tests need background work without RabbitMQ; the heavy parts of
the tasks (numpy, the database driver, liblinear) release the GIL often enough, and a deployment
that needs more runs Celery workers instead. Nothing is lost if this process dies: the tasks are
in the ledger, and :func:`resume` (called when a pool starts) sends the ones whose embedded
owner stopped beating again.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy import select

from massline.core.config import Settings
from massline.db.base import utcnow
from massline.db.session import session_scope
from massline.engine import ledger
from massline.engine.runner import DeadLettered, attempts_of, backoff, execute

log = logging.getLogger(__name__)
KIND = "embedded"


class EmbeddedEngine:
    """A thread pool running ledger tasks of one database, with retries and a heartbeat."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.name = ledger.worker_name(KIND)
        self.pool = ThreadPoolExecutor(max_workers=settings.engine_threads, thread_name_prefix="massline-engine")
        self._stop = threading.Event()
        self._beat()
        threading.Thread(target=self._beat_forever, name="massline-engine-heartbeat", daemon=True).start()

    def submit(self, task_id: str) -> Future[None]:
        return self.pool.submit(self._run, task_id)

    def _beat(self) -> None:
        try:
            with session_scope(self.settings.resolved_database_url()) as session:
                ledger.heartbeat(session, self.name, KIND, self.settings.engine_threads)
        except Exception:  # a heartbeat must never stop the work
            log.debug("engine: heartbeat failed", exc_info=True)

    def _beat_forever(self) -> None:
        while not self._stop.wait(ledger.HEARTBEAT_SECONDS):
            self._beat()

    def _run(self, task_id: str) -> None:
        local_attempts = 0
        while True:
            local_attempts += 1
            try:
                execute(self.settings, task_id, self.name)
                return
            except DeadLettered:
                return
            except Exception:
                try:
                    attempt = attempts_of(self.settings, task_id)
                except Exception:  # the database itself is away: count here, keep backing off
                    attempt = local_attempts
                    if local_attempts > self.settings.task_max_retries + 10:
                        log.error("engine: giving up on %s for now; it stays queued in the ledger", task_id)
                        return
                time.sleep(backoff(self.settings, attempt))

    def shutdown(self, wait: bool = True) -> None:
        self._stop.set()
        self.pool.shutdown(wait=wait)


_ENGINES: dict[str, EmbeddedEngine] = {}
_LOCK = threading.Lock()


def embedded(settings: Settings) -> EmbeddedEngine:
    """The pool of this process for ``settings``' database (created, and orphans resumed, on first use)."""
    url = settings.resolved_database_url()
    with _LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _ENGINES[url] = EmbeddedEngine(settings)
            created = True
        else:
            created = False
    if created:
        try:
            resume(settings, engine)
        except Exception:  # the database is away: the pool still takes work; orphans wait for the next pool
            log.warning("engine: could not look for tasks left by stopped processes", exc_info=True)
    return engine


def resume(settings: Settings, engine: EmbeddedEngine) -> int:
    """Send again the tasks that an embedded pool owned (submitted or was running) and that its
    process left unfinished: its heartbeat stopped."""
    from massline.db.models.engine import EngineTask

    with session_scope(settings.resolved_database_url()) as session:
        alive = {w.name for w in ledger.live_workers(session, utcnow())} | {engine.name}
        rows = session.execute(select(EngineTask.id, EngineTask.worker).where(
            EngineTask.state.in_([ledger.QUEUED, ledger.RUNNING]), EngineTask.worker.like(f"{KIND}-%"))).all()
        orphans = [task_id for task_id, owner in rows if owner not in alive]
        for task_id in orphans:
            ledger.claim(session, task_id, engine.name)
    for task_id in orphans:
        engine.submit(task_id)
    if orphans:
        log.info("engine: resumed %d task(s) left by a stopped process", len(orphans))
    return len(orphans)


def shutdown_all(wait: bool = True) -> None:
    """Stop every pool of this process (tests; the tasks they did not finish stay in the ledger)."""
    with _LOCK:
        engines = list(_ENGINES.values())
        _ENGINES.clear()
    for engine in engines:
        engine.shutdown(wait=wait)
