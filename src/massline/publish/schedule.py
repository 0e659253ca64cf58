"""The periodic work of publicize as plain functions, plus the small in-process loop that calls them.

Why plain functions: the embedded setup runs them from a daemon thread started with the web app
(:func:`start_scheduler`); a deployment with a worker engine (Celery or similar) calls
:func:`run_scheduled_jobs` from its periodic task and sets ``MASSLINE_SCHEDULER_INTERVAL=0`` so
the web processes leave it alone. The CLI runs it once with ``massline posts run-scheduled``.
Running it twice at the same time is harmless: state changes are guarded by the post's status
and each webhook delivery row is attempted by whoever picks it up.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from massline.core.config import Settings
from massline.core.errors import ConfigError
from massline.db.models.publish import Post
from massline.db.session import session_scope
from massline.publish import posts as post_service
from massline.publish import subscriptions, webhooks

log = logging.getLogger(__name__)


def announce(settings: Settings, post_ids: Iterable[int], *, now: datetime | None = None) -> dict[str, Any]:
    """After the commit of a publication: send the due webhooks and the subscribers' e-mail."""
    ids = list(post_ids)
    url = settings.resolved_database_url()
    with session_scope(url) as session:
        hooks = webhooks.deliver_due(session, max_attempts=settings.webhook_max_attempts, now=now)
    mails = 0
    if ids and settings.smtp_host:
        with session_scope(url) as session:
            batch = [m for pid in ids if (p := session.get(Post, pid)) is not None
                     for m in subscriptions.post_mails(settings, session, p)]
        try:
            mails = subscriptions.send_mails(settings, batch)
        except (OSError, ConfigError) as exc:  # mail trouble must not undo a publication
            log.warning("publish: subscriber e-mail for posts %s not sent: %s", ids, exc)
    return {"webhooks": hooks, "mails": mails}


def run_scheduled_jobs(settings: Settings, now: datetime | None = None) -> dict[str, Any]:
    """Publish/archive what is due, then announce the new publications and retry due webhooks."""
    with session_scope(settings.resolved_database_url()) as session:
        changed = post_service.run_scheduled(session, now)
    return {**changed, **announce(settings, changed["published"], now=now)}


class Scheduler:
    """A daemon thread calling :func:`run_scheduled_jobs` every ``interval`` seconds until stopped."""

    def __init__(self, settings: Settings, interval: float) -> None:
        self.settings = settings
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="massline-publish-scheduler", daemon=True)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                result = run_scheduled_jobs(self.settings)
                if result["published"] or result["archived"] or result["blocked"]:
                    log.info("publish scheduler: %s", result)
            except Exception:  # keep the loop alive; the next tick tries again
                log.exception("publish scheduler tick failed")


def start_scheduler(settings: Settings) -> Scheduler | None:
    """The embedded scheduler, or None when ``scheduler_interval`` is 0."""
    if settings.scheduler_interval <= 0:
        return None
    return Scheduler(settings, settings.scheduler_interval).start()
