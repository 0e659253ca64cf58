"""What operators and load balancers ask: ``status`` (work left, failures, workers) and ``readiness``."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select, text

from massline.core.config import Settings
from massline.db.session import get_engine, session_scope
from massline.engine import ledger
from massline.engine.client import mode

log = logging.getLogger(__name__)


def status(settings: Settings) -> dict[str, Any]:
    """``{mode, queued, running, done, failed, workers, broker_queued, dead_letters}`` — 0 queued and 0
    running means all submitted work is finished; ``failed`` counts unresolved dead letters."""
    from massline.db.models.engine import TaskFailure

    with session_scope(settings.resolved_database_url()) as session:
        counts = ledger.counts(session)
        workers = ledger.live_workers(session)
        dead = session.scalar(select(func.count(TaskFailure.id)).where(TaskFailure.resolved_at.is_(None))) or 0
    wanted = mode(settings)
    out: dict[str, Any] = {
        "mode": mode(settings),
        "queued": counts[ledger.QUEUED],
        "running": counts[ledger.RUNNING],
        "done": counts[ledger.DONE],
        "failed": int(dead),
        "workers": sum(1 for w in workers if w.kind == wanted),
        "worker_names": [w.name for w in workers if w.kind == wanted],
    }
    if settings.broker_url:
        from massline.engine.celery_app import queue_depth

        out["broker_queued"] = queue_depth(settings)
    return out


def _check_database(settings: Settings) -> str:
    with get_engine(settings.resolved_database_url()).connect() as conn:
        conn.execute(text("SELECT 1"))
    return "ok"


def _check_broker(settings: Settings) -> str:
    if not settings.broker_url:
        return "embedded"
    from massline.engine.celery_app import celery_app

    with celery_app(settings.broker_url, settings.broker_queue).connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def _check_redis(settings: Settings) -> str:
    """PING Redis: with the ``redis`` client when installed, else over a plain socket (RESP)."""
    if not settings.redis_url:
        return "not configured"
    try:
        import importlib

        redis: Any = importlib.import_module("redis")
    except ModuleNotFoundError:
        return _ping_redis_socket(settings.redis_url)
    redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2).ping()
    return "ok"


def _ping_redis_socket(url: str) -> str:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2) as sock:
        if parts.password:
            sock.sendall(f"AUTH {parts.password}\r\n".encode())
            sock.recv(64)
        sock.sendall(b"PING\r\n")
        answer = sock.recv(64)
    if not answer.startswith(b"+PONG"):
        raise ConnectionError(f"unexpected answer {answer[:40]!r}")
    return "ok"


def readiness(settings: Settings) -> tuple[bool, dict[str, str]]:
    """``(ready, {check: "ok" | what failed})`` for the database, the broker and Redis (when configured)."""
    checks: dict[str, str] = {}
    ready = True
    for name, check in (("database", _check_database), ("broker", _check_broker), ("redis", _check_redis)):
        try:
            checks[name] = check(settings)
        except Exception as exc:  # a readiness probe reports, it never raises
            ready = False
            checks[name] = f"error: {type(exc).__name__}: {str(exc)[:200]}"
    return ready, checks
