"""The Celery side of the engine: one generic task that runs a ledger task by id.

Why one generic task: the broker message carries only the ledger id, so what a task does and
with which arguments is in PostgreSQL (the system of record), not in a queue a broker restart
could lose. Delivery settings are those that make "a worker killed mid-task" safe:
``acks_late`` (ack after the work), ``task_reject_on_worker_lost`` (a task whose pool process
died is requeued, not acked), ``worker_prefetch_multiplier = 1`` (a worker holds one unacked
message per process, so a kill strands at most that many), durable queue, persistent messages,
publisher confirms.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from celery import Celery
from kombu.entity import Queue

from massline.core.config import Settings
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
    """Hand the ledger task to RabbitMQ (its Celery id is the ledger id)."""
    assert settings.broker_url
    celery_app(settings.broker_url, settings.broker_queue).send_task(RUN_TASK, args=[task_id], task_id=task_id,
                                                                     queue=settings.broker_queue)


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
