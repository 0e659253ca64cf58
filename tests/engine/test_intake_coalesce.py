"""Routing tasks of one web process go to the real broker a window at a time (``massline.engine.coalesce``):
one message for the tasks noted in a window, none lost when the broker is away (they stay queued in
the ledger for the workers' sweep), and every task published at once where nothing gathers them."""

from __future__ import annotations

from sqlalchemy import select
from tests.engine.conftest import wait_for

from massline.core.config import Settings
from massline.db.models.engine import EngineTask
from massline.db.session import session_scope
from massline.engine import ledger
from massline.engine.celery_app import queue_depth
from massline.engine.coalesce import Coalescer, coalescer, coalesces


def _recorded(settings: Settings, n: int) -> list[str]:
    with session_scope(settings.resolved_database_url()) as session:
        return [ledger.record(session, "sleep", {"seconds": 0, "n": i})[0].id for i in range(n)]


def test_the_tasks_of_one_window_go_to_the_broker_as_one_message(broker_settings: Settings) -> None:
    assert coalesces(broker_settings)
    ids = _recorded(broker_settings, 20)
    pool = Coalescer(broker_settings.model_copy(update={"route_coalesce": 30.0}))  # the test flushes, not the timer
    for task_id in ids:
        pool.submit(task_id)
    assert queue_depth(broker_settings) in (None, 0)  # nothing sent while the window is open (no queue yet)
    assert pool.flush() == 20
    assert queue_depth(broker_settings) == 1
    assert pool.flush() == 0  # a window is sent once
    with session_scope(broker_settings.resolved_database_url()) as session:  # the others wait in the ledger
        states = set(session.scalars(select(EngineTask.state).where(EngineTask.id.in_(ids))))
    assert states == {ledger.QUEUED}


def test_the_window_closes_by_itself_and_one_coalescer_serves_a_process(broker_settings: Settings) -> None:
    settings = broker_settings.model_copy(update={"route_coalesce": 0.05})
    assert coalescer(settings) is coalescer(settings)
    for task_id in _recorded(settings, 3):
        coalescer(settings).submit(task_id)
    assert wait_for(lambda: queue_depth(settings) == 1, 5)


def test_when_the_broker_is_away_the_window_stays_queued_in_the_ledger(broker_settings: Settings) -> None:
    away = broker_settings.model_copy(update={"broker_url": "amqp://guest:guest@127.0.0.1:1//", "route_coalesce": 30.0})
    ids = _recorded(away, 2)
    pool = Coalescer(away)
    for task_id in ids:
        pool.submit(task_id)
    assert pool.flush() == 0  # logged, not raised: the requests were accepted
    with session_scope(away.resolved_database_url()) as session:
        assert set(session.scalars(select(EngineTask.state).where(EngineTask.id.in_(ids)))) == {ledger.QUEUED}


def test_without_postgresql_gathering_every_task_is_published_on_its_own(engine_settings: Settings) -> None:
    assert not coalesces(engine_settings)  # no broker
    sqlite = engine_settings.model_copy(update={"broker_url": "amqp://x", "database_url": "sqlite:///x.db"})
    assert not coalesces(sqlite)
    assert not coalesces(sqlite.model_copy(update={"route_gather": 0}))
