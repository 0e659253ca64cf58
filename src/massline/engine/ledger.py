"""The ``engine_tasks`` ledger: the durable record of every background task.

Why first in the database: a task written here before it is published can always be found
again — if the publish fails, if the process that owned an in-process pool died, or if an
operator wants to know what is left (``massline status``).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from massline.db.base import utcnow
from massline.db.models.engine import EngineTask, EngineWorker, TaskFailure

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
#: a worker whose heartbeat is older than this no longer counts
WORKER_STALE = timedelta(seconds=15)
HEARTBEAT_SECONDS = 5.0


def task_key(name: str, args: dict[str, Any]) -> str:
    """Stable idempotency key of a unit of work: the task name and its canonical arguments."""
    canonical = json.dumps(args, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"{name}:{hashlib.sha256(canonical.encode('utf-8')).hexdigest()[:40]}"


def record(session: Session, name: str, args: dict[str, Any], *, batch: str | None = None,
           key: str | None = None, fresh: bool = False, worker: str | None = None) -> tuple[EngineTask, bool]:
    """The ledger row of this work, created ``queued`` when new; ``(row, created)``.

    The same work enqueued again (same key) is the same row: a finished task is not run twice,
    a failed one is queued again (an operator asked for it by submitting it again).
    ``fresh``: the work names rows created in the caller's own transaction (a request just
    received), so no other row can carry its key — it is added without the look-up and the
    savepoint, three statements fewer on intake's hot path; the unique key still guards it.
    ``worker``: the owner of a new row (an embedded pool that will run it).
    """
    key = key or task_key(name, args)
    found = None if fresh else session.scalar(select(EngineTask).where(EngineTask.key == key))
    if found is not None:
        if found.state == FAILED:
            found.state, found.error = QUEUED, None
            return found, True
        return found, False
    row = EngineTask(id=uuid.uuid4().hex, name=name, key=key, args=args, batch=batch, state=QUEUED, attempts=0,
                     worker=worker)
    if fresh:
        session.add(row)
        return row, True
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another process recorded it between our look and our insert
        existing = session.scalar(select(EngineTask).where(EngineTask.key == key))
        assert existing is not None
        return existing, False
    return row, True


def claim(session: Session, task_id: str, owner: str) -> None:
    """``owner`` (an embedded pool) will run this task: recorded so another process can tell
    whether the owner is still alive (:func:`massline.engine.embedded.resume`)."""
    session.execute(update(EngineTask).where(EngineTask.id == task_id).values(worker=owner))


def start(session: Session, task_id: str, worker: str) -> EngineTask | None:
    """Mark a task running (one more attempt); None when it is unknown or already done."""
    row = session.get(EngineTask, task_id, with_for_update=session.bind is not None
                      and session.bind.dialect.name == "postgresql")
    if row is None or row.state == DONE:
        return None
    row.state, row.worker, row.started_at = RUNNING, worker, utcnow()
    row.attempts += 1
    return row


def finish(session: Session, task_id: str, result: dict[str, Any]) -> None:
    session.execute(update(EngineTask).where(EngineTask.id == task_id)
                    .values(state=DONE, result=result, error=None, finished_at=utcnow()))


def finish_queued(session: Session, keys: Sequence[str], result: dict[str, Any]) -> int:
    """Mark the still-queued tasks of ``keys`` done with ``result`` (their work was done by another
    task in the caller's transaction); how many. A delivery of one of them later finds it done."""
    if not keys:
        return 0
    done = session.execute(update(EngineTask).where(EngineTask.key.in_(list(keys)), EngineTask.state == QUEUED)
                           .values(state=DONE, result=result, error=None, finished_at=utcnow()))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def back_to_queue(session: Session, task_id: str, error: str) -> None:
    """A failed attempt that will be retried."""
    session.execute(update(EngineTask).where(EngineTask.id == task_id).values(state=QUEUED, error=error[:2000]))


def dead_letter(session: Session, task_id: str, error: str, traceback: str, worker: str) -> TaskFailure:
    """Retries exhausted: the task is ``failed`` and a ``task_failures`` row tells an administrator."""
    row = session.get(EngineTask, task_id)
    name, args, attempts = (row.name, row.args, row.attempts) if row is not None else ("?", {}, 0)
    if row is not None:
        row.state, row.error, row.finished_at = FAILED, error[:2000], utcnow()
    failure = TaskFailure(task_id=task_id, name=name, args=args, attempts=attempts, error=error[:2000],
                          traceback=traceback[-20000:], worker=worker)
    session.add(failure)
    return failure


def worker_name(kind: str) -> str:
    return f"{kind}-{os.getpid()}@{socket.gethostname()}"


def heartbeat(session: Session, name: str, kind: str, concurrency: int) -> None:
    row = session.get(EngineWorker, name)
    now = utcnow()
    if row is None:
        session.add(EngineWorker(name=name, kind=kind, pid=os.getpid(), concurrency=concurrency, started_at=now,
                                 last_seen=now))
    else:
        row.last_seen, row.concurrency = now, concurrency


def live_workers(session: Session, now: datetime | None = None) -> list[EngineWorker]:
    since = (now or utcnow()) - WORKER_STALE
    return list(session.scalars(select(EngineWorker).where(EngineWorker.last_seen >= since)
                                .order_by(EngineWorker.name)))


def stranded(session: Session, now: datetime, grace: timedelta, retry_delay: Callable[[int], float],
             limit: int = 1000) -> list[str]:
    """Broker-mode tasks that should have been picked up by now and were not: ``queued`` and never
    started, recorded more than ``grace`` ago; ``queued`` for a retry that fell due (last start +
    ``retry_delay(attempts)``) more than ``grace`` ago; or ``running`` on a worker whose heartbeat
    stopped, started more than ``grace`` ago. Their broker message may be gone (a publish that
    failed, a broker that lost it); the caller publishes them again. On PostgreSQL the rows are
    locked (``SKIP LOCKED``) until the caller's transaction ends, so two sweepers take disjoint sets.
    """
    cutoff = now - grace
    live = [w.name for w in live_workers(session, now)]
    query = (select(EngineTask).where(
        EngineTask.created_at < cutoff,
        or_(EngineTask.worker.is_(None), EngineTask.worker.not_like("embedded-%")),
        or_(EngineTask.state == QUEUED,
            (EngineTask.state == RUNNING) & EngineTask.worker.not_in(live) & (EngineTask.started_at < cutoff)))
        .order_by(EngineTask.created_at).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = []
    for row in session.scalars(query):
        due = row.started_at + timedelta(seconds=retry_delay(row.attempts)) \
            if row.state == QUEUED and row.attempts and row.started_at is not None else row.created_at
        if due < cutoff:
            ids.append(row.id)
    return ids


def counts(session: Session, batch: str | None = None) -> dict[str, int]:
    query = select(EngineTask.state, func.count()).group_by(EngineTask.state)
    if batch is not None:
        query = query.where(EngineTask.batch == batch)
    found = {state: int(n) for state, n in session.execute(query)}
    return {state: found.get(state, 0) for state in (QUEUED, RUNNING, DONE, FAILED)}
