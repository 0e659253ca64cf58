"""Stored messages → guide records (the only guide module that reads ``messages``).

Department walls: a handler's guide covers the messages behind their department's cases
(``WorkOrder.lead_department_id``); every other staff role sees the whole archive in aggregate.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.db.models.message import Message
from massline.db.models.workorders import WorkOrder
from massline.guide.corpus import GuideMessage, chunks

CHUNK = 900  # below SQLite's bound-parameter limit


def _to_guide(row: Any, department_id: int | None) -> GuideMessage:
    meta = row.meta or {}
    created = row.created_at or row.received_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)

    def count(key: str) -> int:
        try:
            return max(int(meta.get(key) or 0), 0)
        except (TypeError, ValueError):
            return 0

    return GuideMessage(id=row.id, external_id=row.external_id, title=(row.title or "").strip(),
                        body=" ".join((row.body or "").split()), created_at=created.astimezone(UTC),
                        author=row.author_ref, likes=count("likes"), dislikes=count("dislikes"),
                        department_id=department_id)


def _columns() -> tuple[Any, ...]:
    return (Message.id, Message.external_id, Message.title, Message.body, Message.created_at, Message.received_at,
            Message.author_ref, Message.meta)


def load_messages(session: Session, *, since: datetime | None = None, until: datetime | None = None,
                  department_id: int | None = None, external_ids: Collection[str] | None = None,
                  ids: Collection[int] | None = None) -> list[GuideMessage]:
    """Stored messages (optionally only a department's, a time window, or given ids), time-ordered."""
    base = select(*_columns(), WorkOrder.lead_department_id).outerjoin(WorkOrder, WorkOrder.message_id == Message.id)
    if department_id is not None:
        base = base.where(WorkOrder.lead_department_id == department_id)
    if since is not None:
        base = base.where(Message.created_at >= since)
    if until is not None:
        base = base.where(Message.created_at < until)
    rows: Iterable[Any]
    if external_ids is not None:
        rows = [r for part in chunks(sorted(set(external_ids)), CHUNK)
                for r in session.execute(base.where(Message.external_id.in_(list(part))))]
    elif ids is not None:
        rows = [r for part in chunks(sorted(set(ids)), CHUNK)
                for r in session.execute(base.where(Message.id.in_(list(part))))]
    else:
        rows = session.execute(base)
    seen: dict[int, GuideMessage] = {}
    for row in rows:
        if row.id not in seen:
            seen[row.id] = _to_guide(row, row.lead_department_id)
    return sorted(seen.values(), key=lambda m: (m.created_at, m.id))
