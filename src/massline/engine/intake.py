"""Durable-first intake on the engine: a request's routing task is recorded with the request and
run once the request is committed.

Why recorded in the request's own transaction: the request and the promise to route it are
committed together — a process that dies right after the commit leaves a ``queued`` ledger row
(resumed by the next embedded pool, or re-published by the workers' sweep), never a
request nobody will route. Why run after the commit: the answer (with the request's number) must
not wait for analysis, and a routing failure must not undo an accepted request.

Where the task runs (:func:`start_routing`):

* ``MASSLINE_BROKER_URL`` set — published to RabbitMQ (on PostgreSQL a window of requests at a
  time, :mod:`massline.engine.coalesce`); a Celery worker runs it.
* no broker, ``MASSLINE_INTAKE_ROUTING=inline`` (default) — the same task, run by the same wrapper
  (:func:`massline.engine.runner.execute`), in the submitting thread right after the commit: the
  demo and the tests see a routed case as soon as the answer arrives, and a failed run is handed to
  this process's embedded pool, which retries it with backoff.
* no broker, ``MASSLINE_INTAKE_ROUTING=background`` — on the embedded pool at once (the answer
  does not wait for analysis, as with a broker).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.engine import ledger
from massline.engine.embedded import KIND, embedded
from massline.engine.runner import DeadLettered, execute

log = logging.getLogger(__name__)
TASK = "route_request"


def record_routing(session: Session, settings: Settings, work_order_ids: Sequence[int]) -> str:
    """Write the ``route_request`` task of these work orders in the caller's transaction; its id.

    Without a broker the task is owned by this process's embedded pool from the start (its name is
    fixed by the process, the pool itself starts after the commit), so if this process dies before
    running it, another process's pool resumes it.
    """
    row, _ = ledger.record(session, TASK, routing_args(work_order_ids), fresh=True,
                           worker=None if settings.broker_url else ledger.worker_name(KIND))
    return row.id


def routing_args(work_order_ids: Sequence[int]) -> dict[str, list[int]]:
    """The arguments (and so, through :func:`ledger.task_key`, the key) of a routing task."""
    return {"work_order_ids": sorted(int(i) for i in work_order_ids)}


def routes_inline(settings: Settings) -> bool:
    """Whether a request's routing runs in the request itself, right after its commit (see the module)."""
    return not settings.broker_url and settings.intake_routing == "inline"


def start_routing(settings: Settings, task_id: str) -> None:
    """Run or hand over a committed routing task (see the module). Never raises: the request it
    routes is already accepted; whatever fails stays queued in the ledger and is retried."""
    try:
        if settings.broker_url:
            from massline.engine.celery_app import publish
            from massline.engine.coalesce import coalescer, coalesces

            if coalesces(settings):
                coalescer(settings).submit(task_id)
            else:
                publish(settings, task_id)
            return
        if not routes_inline(settings):
            embedded(settings).submit(task_id)
            return
        try:  # under the pool's name, which owns the task in the ledger (the pool starts only if needed)
            execute(settings, task_id, ledger.worker_name(KIND))
        except DeadLettered:
            return
        except Exception:
            log.warning("intake: routing task %s failed inline; the embedded pool retries it", task_id,
                        exc_info=True)
            embedded(settings).submit(task_id)
    except Exception:
        log.exception("intake: routing task %s could not be started; it stays queued in the ledger "
                      "(the workers' sweep publishes it again)", task_id)


def commit_and_route(session: Session, settings: Settings, work_order_ids: Sequence[int]) -> str:
    """Record the routing of these just-received work orders, commit the request, start the routing;
    the task id. A failed commit raises (nothing was accepted); nothing after it does."""
    task_id = record_routing(session, settings, work_order_ids)
    session.commit()
    start_routing(settings, task_id)
    return task_id
