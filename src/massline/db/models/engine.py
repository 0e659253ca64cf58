"""Tables of the background engine and of the shared near-duplicate index.

Why the engine keeps its own ledger in the database (and not only in the broker): the
database is the system of record. A task is written here *before* it is handed to RabbitMQ
or to the in-process pool, so ``massline status`` can tell queued / running / done / failed
the same way in both modes, a task whose publish failed or whose process died can be sent
again, and a task that exhausted its retries leaves a ``task_failures`` row (the dead-letter
record administrators read with ``massline tasks failures`` or ``GET /api/v1/admin/task-failures``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from massline.db.base import Base, utcnow


class EngineTask(Base):
    """One unit of background work (e.g. analyse messages 1..500), keyed by a stable id.

    ``key`` makes enqueueing idempotent: the same work (task name + ids + component versions)
    enqueued twice is one row.
    """

    __tablename__ = "engine_tasks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # also the Celery task id
    name: Mapped[str] = mapped_column(String(100), index=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    batch: Mapped[str | None] = mapped_column(String(64), index=True)  # groups the chunks of one run
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)  # queued|running|done|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


class TaskFailure(Base):
    """Dead-letter record: a task that failed after all its retries, kept until an administrator acts."""

    __tablename__ = "task_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(100))
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    traceback: Mapped[str] = mapped_column(Text, default="")
    worker: Mapped[str | None] = mapped_column(String(200))
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolution: Mapped[str | None] = mapped_column(String(20))  # retried | dismissed


class EngineWorker(Base):
    """Heartbeat of a worker process (a Celery worker or the embedded pool of a process)."""

    __tablename__ = "engine_workers"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # celery | embedded
    pid: Mapped[int] = mapped_column(Integer)
    concurrency: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LshBand(Base):
    """One LSH band hash of a first-occurrence message: the near-duplicate index every process shares.

    A message is a near-duplicate candidate of another when one of their band hashes is equal,
    which the (band, hash) index answers with one query per message instead of a per-process copy.
    """

    __tablename__ = "lsh_bands"
    __table_args__ = (Index("ix_lsh_bands_band_hash", "band", "hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    band: Mapped[int] = mapped_column(Integer)
    hash: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
