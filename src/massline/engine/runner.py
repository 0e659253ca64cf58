"""Running one ledger task: the wrapper shared by Celery workers and the embedded pool.

Why one wrapper: both modes must count attempts, back off, and turn a task that keeps failing
into a dead-letter record the same way. The attempt count lives in the ledger (not only in the
broker message), so a task redelivered after its worker was killed counts that attempt too.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from massline.core.config import Settings
from massline.db.session import session_scope
from massline.engine import ledger
from massline.engine.tasks import task_function

log = logging.getLogger(__name__)
MAX_DELAY = 300.0


class DeadLettered(Exception):
    """The task failed for the last time; its ``task_failures`` row is written."""


def backoff(settings: Settings, attempt: int) -> float:
    """Delay before retry number ``attempt`` (1, 2, …): base · 2^(attempt − 1), at most five minutes."""
    return float(min(MAX_DELAY, settings.task_retry_base * 2 ** max(0, attempt - 1)))


def execute(settings: Settings, task_id: str, worker: str) -> dict[str, Any] | None:
    """Run the ledger task ``task_id`` once. Returns its result, or None when there was nothing to do
    (unknown id, or already done: a duplicate delivery). A failure is re-raised after the ledger
    says ``queued`` again — or, once ``settings.task_max_retries`` retries are used up, after the
    dead-letter record is written, as :class:`DeadLettered`."""
    url = settings.resolved_database_url()
    with session_scope(url) as session:
        row = ledger.start(session, task_id, worker)
        if row is None:
            return None
        name, args, attempts = row.name, dict(row.args or {}), row.attempts
    try:
        result = task_function(name)(settings, **args)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        final = attempts > settings.task_max_retries
        with session_scope(url) as session:
            if final:
                ledger.dead_letter(session, task_id, error, traceback.format_exc(), worker)
            else:
                ledger.back_to_queue(session, task_id, error)
        if final:
            log.error("engine: task %s (%s) failed for good after %d attempts: %s", task_id, name, attempts, error)
            raise DeadLettered(error) from exc
        log.warning("engine: task %s (%s) attempt %d failed: %s", task_id, name, attempts, error)
        raise
    with session_scope(url) as session:
        ledger.finish(session, task_id, result)
    return result


def attempts_of(settings: Settings, task_id: str) -> int:
    from massline.db.models.engine import EngineTask

    with session_scope(settings.resolved_database_url()) as session:
        row = session.get(EngineTask, task_id)
        return row.attempts if row is not None else 0
