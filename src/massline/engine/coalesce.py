"""Routing tasks of one web process handed to the broker together: one message per short window.

Why: every accepted request records its ``route_request`` task in its own transaction (durable
first), and publishing each one cost the request a broker round trip (≈ 1 ms of the web process,
1.2 ms of RabbitMQ) and a worker a delivery of its own — under a burst most of those deliveries
found their request already routed by another task's gather
(:func:`massline.engine.tasks._gather_pending`) and did nothing. Here the request only notes its
task id; a timer thread publishes, per window, the newest task of the window, whose run routes
its own request and gathers the others still pending (oldest first, their ledger rows marked
done). The answer no longer waits for the broker.

Nothing is lost on the way: the tasks are committed in the ledger before they are noted here; a
task whose message is never sent (the process died within the window, the broker was away, a
backlog larger than a gather) is published again by the workers' sweep
(:func:`massline.engine.celery_app.republish_stranded`). Only PostgreSQL gathers, so elsewhere —
or with ``route_gather`` 0 or ``route_coalesce`` 0 — every task is published on its own, at once.
"""

from __future__ import annotations

import atexit
import logging
import threading

from sqlalchemy.engine import make_url

from massline.core.config import Settings

log = logging.getLogger(__name__)


def coalesces(settings: Settings) -> bool:
    """Whether this installation's routing tasks are published a window at a time (see the module)."""
    return bool(settings.broker_url and settings.route_coalesce > 0 and settings.route_gather > 0
                and make_url(settings.resolved_database_url()).get_backend_name() == "postgresql")


class Coalescer:
    """Collects committed task ids; publishes the newest of each window of ``settings.route_coalesce`` s."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self._timer: threading.Timer | None = None

    def submit(self, task_id: str) -> None:
        """Note a committed task; the window's timer starts with its first task."""
        with self._lock:
            self._pending.append(task_id)
            if self._timer is None:
                self._timer = threading.Timer(self.settings.route_coalesce, self.flush)
                self._timer.daemon = True  # a process that exits leaves its window to the sweep (and atexit)
                self._timer.start()

    def flush(self) -> int:
        """Publish the newest noted task; how many tasks it stands for (0: none noted, or the broker failed)."""
        from massline.engine.celery_app import publish

        with self._lock:
            ids, self._pending, self._timer = self._pending, [], None
        if not ids:
            return 0
        try:
            publish(self.settings, ids[-1])
        except Exception:
            log.exception("engine: routing tasks %s..%s could not be published; they stay queued in the ledger "
                          "(the workers' sweep publishes them again)", ids[0], ids[-1])
            return 0
        return len(ids)


_COALESCERS: dict[tuple[str, str, str], Coalescer] = {}
_LOCK = threading.Lock()


def coalescer(settings: Settings) -> Coalescer:
    """This process's coalescer for the installation of ``settings`` (flushed when the process exits)."""
    key = (str(settings.broker_url), settings.broker_queue, settings.resolved_database_url())
    with _LOCK:
        found = _COALESCERS.get(key)
        if found is None:
            found = _COALESCERS[key] = Coalescer(settings)
            atexit.register(found.flush)
        return found
