"""The background tasks: plain functions ``fn(settings, **args) -> dict`` keyed by ids.

Why plain functions called by name: the broker message (or the in-process pool) only carries
the ledger id; the name and arguments live in ``engine_tasks``. The same function runs inside a
Celery worker, on the embedded thread pool, or directly in a test.

Every task is idempotent — it may run twice (a worker killed after committing but before the
broker saw its ack, a redelivery after a broker restart):

* ``analyze_chunk`` analyses only the messages whose current results are not yet those of the
  pipeline's component versions (message id + component version is the key), after locking the
  messages (PostgreSQL ``FOR UPDATE``) so two deliveries of one chunk cannot interleave; writing
  an identical result again is a no-op (:func:`massline.store.results.save_results`).
* with ``open_cases`` a routed message gets its case through
  :func:`massline.serve.cases.open_from_routing`, which returns the existing case of a message.
* ``route_request`` routes work orders that intake committed before answering (durable-first
  Open311 and portal requests), each once: only those still ``routing_pending`` are touched.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.core.errors import InputError

log = logging.getLogger(__name__)
#: task name → "module:function" (imported when the task runs: no import cycle with the callers)
TASKS: dict[str, str] = {
    "analyze_chunk": "massline.engine.tasks:analyze_chunk",
    "route_request": "massline.engine.tasks:route_request",
    "sleep": "massline.engine.tasks:sleep_task",
    "fail": "massline.engine.tasks:fail_task",
}

TaskFn = Callable[..., dict[str, Any]]


def task_function(name: str) -> TaskFn:
    """The function of a registered task name; :class:`InputError` naming the known ones otherwise."""
    target = TASKS.get(name)
    if target is None:
        raise InputError(f"unknown task {name!r}; known: {', '.join(sorted(TASKS))}", field="name")
    module, _, attr = target.partition(":")
    fn: TaskFn = getattr(importlib.import_module(module), attr)
    return fn


def lock_messages(session: Session, ids: Sequence[int]) -> None:
    """Serialise work on these messages across workers (PostgreSQL row locks, in id order so two
    chunks never deadlock); SQLite serialises writers by itself."""
    from massline.db.models.message import Message

    if session.get_bind().dialect.name == "postgresql" and ids:
        session.execute(select(Message.id).where(Message.id.in_(list(ids))).order_by(Message.id).with_for_update())


def expected_versions(pipeline: Any) -> dict[str, str]:
    """Component name → the version its results carry (the category's names the model too)."""
    return {c.name: str(getattr(c, "result_version", c.version)) for c in pipeline.components}


def stale_ids(session: Session, ids: Sequence[int], versions: dict[str, str], key: str = "route") -> list[int]:
    """Of ``ids``, the messages still to analyse: no current ``key`` result yet, or a current result
    of a pipeline component written by another version of it."""
    from massline.db.models.message import AnalysisResult

    ids = list(ids)
    if not ids:
        return []
    rows = session.execute(select(AnalysisResult.message_id, AnalysisResult.component, AnalysisResult.version,
                                  AnalysisResult.key)
                           .where(AnalysisResult.message_id.in_(ids), AnalysisResult.current.is_(True)))
    done: set[int] = set()
    outdated: set[int] = set()
    for message_id, component, version, result_key in rows:
        if result_key == key:
            done.add(message_id)
        if component in versions and versions[component] != version:
            outdated.add(message_id)
    return [i for i in ids if i not in done or i in outdated]


class PipelineUnavailable(RuntimeError):
    """The analysis pipeline could not be built (model files, database): the task is retried."""


def analyse_stale(session: Session, settings: Settings, message_ids: Sequence[int]) -> tuple[int, int, int]:
    """Lock ``message_ids`` and analyse those whose results are not the pipeline's current versions
    (the caller commits); ``(analysed, skipped, result rows written)``.

    The analysis step of every task here, so a chunk, a re-delivered chunk and a request's routing
    skip the same messages. A pipeline that cannot be built raises (the task is retried).
    """
    from massline.analyze.run import AnalyzeSummary, analyze_batch
    from massline.serve.requests import analysis_pipeline

    summary = AnalyzeSummary()
    lock_messages(session, message_ids)
    pipeline = analysis_pipeline(settings, session)
    if pipeline is None:
        raise PipelineUnavailable("the analysis pipeline cannot be built (see the worker log)")
    todo = stale_ids(session, message_ids, expected_versions(pipeline))
    if todo:
        analyze_batch(session, pipeline, todo, summary)
    return summary.messages, len(message_ids) - len(todo), summary.written


def analyze_chunk(settings: Settings, message_ids: list[int], open_cases: bool = False,
                  versions: dict[str, str] | None = None) -> dict[str, Any]:
    """Analyse (and optionally open the cases of) stored messages; skips those already up to date.

    ``versions`` (the component versions the submitter saw) only makes the chunk's ledger key
    differ after a model or component change, so a re-analysis is new work, not a finished task.
    """
    from massline.db.session import session_scope

    with session_scope(settings.resolved_database_url()) as session:
        analysed, skipped, written = analyse_stale(session, settings, message_ids)
        cases = open_routed_cases(session, message_ids) if open_cases else 0
    return {"messages": len(message_ids), "analysed": analysed, "skipped": skipped, "written": written,
            "cases": cases}


def route_request(settings: Settings, work_order_ids: list[int]) -> dict[str, Any]:
    """Analyse and route requests that intake stored and committed first (Open311, the portal).

    Intake left the messages' duplicate check to this task (:func:`link_deferred`, one batch).
    Keyed by the work order ids (a request is routed once in its life; re-analysis after a model
    change is ``analyze_chunk``'s work and never re-routes a case). Safe to run twice: the work
    orders are locked (``FOR UPDATE`` on PostgreSQL, in id order), only those still
    ``routing_pending`` are touched, their messages are analysed only when their results are not
    those of the current component versions (:func:`analyse_stale`), and
    :func:`massline.serve.requests.finish_routing` leaves a case that is no longer pending alone.
    On PostgreSQL it also routes up to ``settings.route_gather`` other waiting requests in the same
    batch (:func:`_gather_pending`); ``routed`` counts its own, ``gathered`` the others.
    """
    from massline.db.models.workorders import WorkOrder
    from massline.db.session import session_scope
    from massline.serve.requests import finish_routing
    from massline.store.dedup_shared import link_deferred
    from massline.store.results import current_results_many

    ids = sorted(int(i) for i in work_order_ids)
    with session_scope(settings.resolved_database_url()) as session:
        query = select(WorkOrder).where(WorkOrder.id.in_(ids), WorkOrder.routing_pending.is_(True))
        gathered: list[WorkOrder] = []
        if session.get_bind().dialect.name == "postgresql":
            pending = list(session.scalars(query.order_by(WorkOrder.id).with_for_update()))
            gathered = _gather_pending(session, ids, settings.route_gather - len(pending))
            pending += gathered
        else:
            pending = list(session.scalars(query))
        message_ids = sorted({wo.message_id for wo in pending if wo.message_id is not None})
        link_deferred(session, settings.near_duplicate_threshold, message_ids)  # intake left it to us
        try:
            analysed, _, written = analyse_stale(session, settings, message_ids)
        except (DBAPIError, PipelineUnavailable):
            raise  # the database or the model is away for now: retried
        except Exception:  # a failing analysis step must not keep requests from the dispatcher
            log.exception("engine: analysis failed for work orders %s; they go to the dispatcher", ids)
            analysed = written = 0
        results = current_results_many(session, message_ids)
        assigned = 0
        for wo in pending:
            routed = results.get(wo.message_id, {}).get("route") if wo.message_id is not None else None
            assigned += finish_routing(session, wo, routed) is not None
    return {"work_orders": len(ids), "routed": len(pending) - len(gathered), "gathered": len(gathered),
            "assigned": assigned, "analysed": analysed, "written": written}


def _gather_pending(session: Session, own: list[int], limit: int) -> list[Any]:
    """Up to ``limit`` other requests still waiting for their routing, oldest first, locked for this
    task (PostgreSQL ``SKIP LOCKED``: one another worker holds is left to it), their own queued
    ``route_request`` tasks marked done in this transaction.

    Why: routing one request per task spends most of its CPU on what every batch pays once (the
    task, its transaction, the pipeline's fixed costs) — about 22 ms of CPU per request one at a
    time, 7 ms in batches of 100. After a burst the backlog is routed by whichever tasks run first,
    in batches; the later deliveries find their work done. Rolled back with the batch, nothing is
    lost; a request whose task names several requests keeps its task (a no-op when it runs).
    """
    from massline.db.models.workorders import WorkOrder
    from massline.engine import ledger
    from massline.engine.intake import TASK, routing_args

    if limit <= 0:
        return []
    gathered = list(session.scalars(
        select(WorkOrder).where(WorkOrder.routing_pending.is_(True), WorkOrder.id.not_in(own))
        .order_by(WorkOrder.id).limit(limit).with_for_update(skip_locked=True)))
    ledger.finish_queued(session, [ledger.task_key(TASK, routing_args([wo.id])) for wo in gathered],
                         {"routed_with": own})
    return gathered


def open_routed_cases(session: Session, ids: Sequence[int]) -> int:
    """Open the case of every message routed to a department that has none yet; how many were opened.

    Messages in triage get their case when a dispatcher decides (``routing.handoff``).
    """
    from massline.db.models.workorders import WorkOrder
    from massline.serve.cases import open_from_routing
    from massline.store.results import current_results_many

    have = set(session.scalars(select(WorkOrder.message_id).where(WorkOrder.message_id.in_(list(ids)))))
    opened = 0
    for message_id, results in current_results_many(session, [i for i in ids if i not in have]).items():
        department = results.get("department")
        if department is None or not department.value:
            continue
        open_from_routing(session, message_id, str(department.value), department.confidence, department.reason)
        opened += 1
    return opened


def sleep_task(settings: Settings, seconds: float = 0.1) -> dict[str, Any]:
    """A task that only waits (engine tests and ``massline status`` demonstrations)."""
    import time

    time.sleep(seconds)
    return {"slept": seconds}


def fail_task(settings: Settings, message: str = "failing on purpose") -> dict[str, Any]:
    """A task that always fails (dead-letter tests)."""
    raise RuntimeError(message)
