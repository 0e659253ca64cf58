"""The Celery side of the engine: one generic task that runs a ledger task by id.

Why one generic task: the broker message carries only the ledger id, so what a task does and
with which arguments is in PostgreSQL (the system of record), not in a queue a broker restart
could lose. Delivery settings are those that make "a worker killed mid-task" safe:
``acks_late`` (ack after the work), ``task_reject_on_worker_lost`` (a task whose pool process
died is requeued, not acked), ``worker_prefetch_multiplier = 1`` (a worker holds one unacked
message per process, so a kill strands at most that many), durable queue, persistent messages,
publisher confirms. What a broker restart adds: workers reconnect for as long as it takes
(``broker_connection_max_retries = None``); a task still running when the connection dropped
finishes and commits, its ack is refused (the channel is gone) and the broker redelivers it,
which the ledger turns into a no-op; a message that never reached the broker, or that it lost,
is found by the workers' sweep (:func:`republish_stranded`) and published again.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Sequence
from datetime import timedelta
from functools import lru_cache
from typing import Any

from celery import Celery
from kombu.entity import Queue
from kombu.exceptions import OperationalError
from sqlalchemy import text
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.db.base import utcnow
from massline.db.session import session_scope
from massline.engine import ledger
from massline.engine.runner import DeadLettered, attempts_of, backoff, execute

log = logging.getLogger(__name__)
QUEUE = "massline"
RUN_TASK = "massline.run"
#: the settings a worker process runs tasks with (``massline worker`` sets them from its options)
_WORKER_SETTINGS: dict[str, Settings] = {}


def use_settings(settings: Settings) -> None:
    """Tasks of this process read ``settings`` (database URL, data dir) instead of the environment."""
    _WORKER_SETTINGS["settings"] = settings


def worker_settings() -> Settings:
    if "settings" not in _WORKER_SETTINGS:
        _WORKER_SETTINGS["settings"] = Settings()
    return _WORKER_SETTINGS["settings"]


def configure(app: Celery, broker_url: str, queue: str) -> None:
    app.conf.update(
        broker_url=broker_url,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=queue,
        task_queues=[Queue(queue, durable=True)],  # type: ignore[no-untyped-call]
        task_default_delivery_mode="persistent",
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_transport_options={"confirm_publish": True},
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a worker outlives any broker outage (default: gives up after 100)
        # a task running when the connection drops finishes and commits; its redelivery is a no-op
        # (cancelling it would throw the finished work away and run it again)
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        enable_utc=True,
    )


@lru_cache(maxsize=4)
def celery_app(broker_url: str, queue: str = QUEUE) -> Celery:
    """The Celery application for ``broker_url`` and ``queue`` with the ``massline.run`` task registered."""
    app = Celery("massline", set_as_current=False)
    configure(app, broker_url, queue)

    def run(self: Any, task_id: str) -> None:
        settings = worker_settings()
        worker = f"celery-{self.request.hostname or '?'}"
        try:
            execute(settings, task_id, worker)
        except DeadLettered:
            return  # recorded in task_failures; ack so the broker stops redelivering
        except Exception as exc:
            try:
                attempt = attempts_of(settings, task_id)
            except Exception:  # database away: fall back on the broker's count
                attempt = int(self.request.retries) + 1
            raise self.retry(exc=exc, countdown=backoff(settings, attempt)) from exc

    app.task(name=RUN_TASK, bind=True, max_retries=None, acks_late=True, reject_on_worker_lost=True)(run)
    return app


def publish(settings: Settings, task_id: str) -> None:
    """Hand the ledger task to RabbitMQ (its Celery id is the ledger id); raises when the broker
    does not confirm it."""
    assert settings.broker_url
    celery_app(settings.broker_url, settings.broker_queue).send_task(RUN_TASK, args=[task_id], task_id=task_id,
                                                                     queue=settings.broker_queue)


def publish_all(settings: Settings, task_ids: Sequence[str]) -> int:
    """Publish recorded tasks; how many the broker took. When the broker cannot be reached the rest
    stay ``queued`` in the ledger (committed before this call) and the workers' sweep publishes them
    once it is back — the submitter is not failed for an outage its work survives."""
    assert settings.broker_url
    app = celery_app(settings.broker_url, settings.broker_queue)
    with app.connection_for_write() as conn:
        unreachable = (OperationalError, *conn.connection_errors, *conn.channel_errors)
    for sent, task_id in enumerate(task_ids):
        try:
            publish(settings, task_id)
        except unreachable as exc:
            log.warning("engine: broker unreachable (%s: %s); %d task(s) stay queued in the ledger and are "
                        "published again by the workers' sweep or `massline tasks requeue`",
                        type(exc).__name__, exc, len(task_ids) - sent)
            return sent
    return len(task_ids)


def republish_stranded(settings: Settings) -> int:
    """Publish again the tasks whose broker message is overdue (:func:`massline.engine.ledger.stranded`).

    Only when the broker queue is empty: while messages wait there, an old queued task may simply
    not have had its turn; once nothing waits, a queued task past its grace has no message left.
    A task published twice runs once (the ledger skips a finished one; ``analyze_chunk`` locks
    and skips what is done), so a rare race costs a little work, never a double result.
    """
    with session_scope(settings.resolved_database_url()) as session:
        if not _sweep_lock(session, settings.broker_queue) or queue_depth(settings) != 0:
            return 0
        ids = ledger.stranded(session, utcnow(), timedelta(seconds=settings.task_republish_after),
                              lambda attempts: backoff(settings, attempts))
        sent = publish_all(settings, ids)
    if sent:
        log.warning("engine: published %d stranded task(s) again", sent)
    return sent


def _sweep_lock(session: Session, queue: str) -> bool:
    """One sweeper per queue at a time (a PostgreSQL advisory lock held until the transaction ends):
    workers started together would otherwise sweep together and publish the same tasks twice."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = zlib.crc32(f"massline-sweep:{queue}".encode()) - 2**31
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}))


def keep_alive(settings: Settings, name: str, concurrency: int, stop: threading.Event) -> None:
    """A worker's side duties until ``stop``: the heartbeat every few seconds (``massline status``
    counts live workers by it) and the stranded-task sweep every ``task_republish_after / 2``
    seconds (at most every 30 s). Neither ever stops the worker: the database or the broker may be
    away for a while."""
    every = max(ledger.HEARTBEAT_SECONDS, min(30.0, settings.task_republish_after / 2))
    last_sweep = time.monotonic()
    url = settings.resolved_database_url()
    while True:
        try:
            with session_scope(url) as session:
                ledger.heartbeat(session, name, "celery", concurrency)
        except Exception as exc:
            log.warning("engine: heartbeat failed: %s", exc)
        if time.monotonic() - last_sweep >= every:
            last_sweep = time.monotonic()
            try:
                republish_stranded(settings)
            except Exception as exc:
                log.warning("engine: stranded-task sweep failed: %s", exc)
        if stop.wait(ledger.HEARTBEAT_SECONDS):
            return


def queue_depth(settings: Settings) -> int | None:
    """Messages waiting in the broker queue (None when the broker cannot be asked)."""
    if not settings.broker_url:
        return None
    try:
        with celery_app(settings.broker_url, settings.broker_queue).connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            _, count, _ = conn.default_channel.queue_declare(queue=settings.broker_queue, durable=True,
                                                            auto_delete=False, passive=True)
            return int(count)
    except Exception:
        log.debug("engine: broker queue depth unavailable", exc_info=True)
        return None
