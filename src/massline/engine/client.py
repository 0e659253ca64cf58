"""Submitting work to the engine and waiting for it — the same calls with or without a broker.

``submit`` writes the ledger row and commits it *before* handing the id to RabbitMQ or to the
embedded pool: a crash between the two leaves a queued row that ``massline tasks requeue`` (or
the next embedded pool) sends again, never a message about work the database does not know.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from massline.core.config import Settings
from massline.db.session import session_scope
from massline.engine import ledger


def mode(settings: Settings) -> str:
    """``celery`` when a broker is configured, else ``embedded``."""
    return "celery" if settings.broker_url else "embedded"


def dispatch(settings: Settings, task_ids: Sequence[str]) -> int:
    """Hand recorded tasks to the broker or to this process's pool; how many were handed over. A
    broker that cannot be reached does not fail the caller: the tasks stay queued in the ledger and
    are published again later (:func:`massline.engine.celery_app.publish_all`)."""
    if settings.broker_url:
        from massline.engine.celery_app import publish_all

        return publish_all(settings, task_ids)
    from massline.engine.embedded import embedded

    engine = embedded(settings)
    with session_scope(settings.resolved_database_url()) as session:
        for task_id in task_ids:
            ledger.claim(session, task_id, engine.name)
    for task_id in task_ids:
        engine.submit(task_id)
    return len(task_ids)


def submit(settings: Settings, name: str, args: dict[str, Any] | None = None, *, batch: str | None = None) -> str:
    """Record (idempotently) and dispatch one task; its ledger id. The same work submitted while it
    is queued, running or done is not sent twice."""
    from massline.engine.tasks import task_function

    task_function(name)  # unknown names fail here, not on a worker
    with session_scope(settings.resolved_database_url()) as session:
        row, created = ledger.record(session, name, dict(args or {}), batch=batch)
        task_id = row.id
    if created:
        dispatch(settings, [task_id])
    return task_id


def submit_chunks(settings: Settings, name: str, ids: Sequence[int], *, chunk_size: int = 200,
                  args: dict[str, Any] | None = None, batch: str | None = None) -> tuple[str, list[str]]:
    """Split ``ids`` into chunks, one task each (``message_ids`` + ``args``); ``(batch id, task ids)``."""
    from massline.engine.tasks import task_function

    task_function(name)
    batch = batch or uuid.uuid4().hex[:16]
    task_ids: list[str] = []
    fresh: list[str] = []
    with session_scope(settings.resolved_database_url()) as session:
        for start in range(0, len(ids), chunk_size):
            chunk = [int(i) for i in ids[start : start + chunk_size]]
            row, created = ledger.record(session, name, {"message_ids": chunk, **(args or {})}, batch=batch)
            task_ids.append(row.id)
            if created:
                fresh.append(row.id)
    dispatch(settings, fresh)
    return batch, task_ids


def wait(settings: Settings, task_ids: Sequence[str], *, timeout: float | None = None, poll: float = 0.5,
         progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Block until none of ``task_ids`` is queued or running (or ``timeout``); the final state counts."""
    from sqlalchemy import func, select

    from massline.db.models.engine import EngineTask

    deadline = None if timeout is None else time.monotonic() + timeout
    ids = list(task_ids)
    while True:
        found: dict[str, int] = {}
        with session_scope(settings.resolved_database_url()) as session:
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                for state, n in session.execute(select(EngineTask.state, func.count())
                                                .where(EngineTask.id.in_(part)).group_by(EngineTask.state)):
                    found[state] = found.get(state, 0) + int(n)
        counts = {s: found.get(s, 0) for s in (ledger.QUEUED, ledger.RUNNING, ledger.DONE, ledger.FAILED)}
        if progress is not None:
            progress(counts[ledger.DONE] + counts[ledger.FAILED], len(ids))
        if counts[ledger.QUEUED] + counts[ledger.RUNNING] == 0:
            return counts
        if deadline is not None and time.monotonic() > deadline:
            return counts
        time.sleep(poll)
