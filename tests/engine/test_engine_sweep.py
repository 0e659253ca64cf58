"""Stranded tasks (broker mode): which ledger rows the workers' sweep publishes again, and a
submission while the broker is unreachable keeps its tasks instead of failing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.db.base import utcnow
from massline.db.models.engine import EngineTask
from massline.db.session import session_scope
from massline.engine import ledger, submit_chunks

GRACE = timedelta(seconds=60)


def _task(session: Session, name: str, state: str, *, age: float, attempts: int = 0, started_ago: float | None = None,
          worker: str | None = None) -> None:
    now = utcnow()
    row, _ = ledger.record(session, "sleep", {"seconds": 0, "case": name})
    row.state, row.attempts, row.worker = state, attempts, worker
    row.created_at = now - timedelta(seconds=age)
    row.started_at = None if started_ago is None else now - timedelta(seconds=started_ago)


def test_stranded_are_overdue_queued_tasks_and_tasks_of_stopped_workers(settings: Settings) -> None:
    with session_scope(settings.resolved_database_url()) as session:
        ledger.heartbeat(session, "celery-alive@host", "celery", 1)
        _task(session, "fresh", ledger.QUEUED, age=5)
        _task(session, "never published", ledger.QUEUED, age=120)
        # a retry (attempt 3) waits backoff(3) = 40 s after its start: due 10 s ago, not yet past the grace
        _task(session, "retry pending", ledger.QUEUED, age=600, attempts=3, started_ago=50)
        _task(session, "retry overdue", ledger.QUEUED, age=600, attempts=1, started_ago=300)
        _task(session, "running, worker gone", ledger.RUNNING, age=600, attempts=1, started_ago=300,
              worker="celery-killed@host")
        _task(session, "running, worker alive", ledger.RUNNING, age=600, attempts=1, started_ago=300,
              worker="celery-alive@host")
        _task(session, "done", ledger.DONE, age=600, attempts=1, started_ago=300)
        _task(session, "embedded pool's", ledger.QUEUED, age=600, worker="embedded-1@host")
    with session_scope(settings.resolved_database_url()) as session:
        ids = ledger.stranded(session, utcnow(), GRACE, lambda attempts: 10.0 * 2 ** (attempts - 1))
        names = {row.args["case"] for row in session.scalars(select(EngineTask).where(EngineTask.id.in_(ids)))}
    assert names == {"never published", "retry overdue", "running, worker gone"}


def test_a_submission_while_the_broker_is_unreachable_keeps_its_tasks(settings: Settings) -> None:
    down = settings.model_copy(update={"broker_url": "amqp://guest:guest@127.0.0.1:1//"})
    _, task_ids = submit_chunks(down, "sleep", list(range(50)), chunk_size=10)  # no exception: the ledger has them
    with session_scope(settings.resolved_database_url()) as session:
        states = list(session.scalars(select(EngineTask.state).where(EngineTask.id.in_(task_ids))))
    assert states == [ledger.QUEUED] * 5
