"""Read-only queries of the staff API that no feature module offers (messages by filter).

Kept out of the route handlers (they never write ``select()``) and portable across SQLite and
PostgreSQL (``ILIKE`` is emulated by SQLAlchemy on SQLite).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from massline.core.errors import NotFoundError
from massline.db.models.intake import Source
from massline.db.models.message import Message


@dataclass(frozen=True, slots=True)
class MessageFilter:
    q: str | None = None
    source: str | None = None
    status: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def list_messages(session: Session, f: MessageFilter, *, limit: int, offset: int
                  ) -> tuple[int, list[tuple[Message, str]]]:
    """(total, page of (message, source name)) newest first."""
    stmt = select(Message, Source.name).join(Source, Source.id == Message.source_id)
    for term in (f.q or "").split():
        pattern = _like(term)
        stmt = stmt.where(or_(Message.title.ilike(pattern, escape="\\"), Message.body.ilike(pattern, escape="\\")))
    if f.source:
        stmt = stmt.where(or_(Source.name == f.source, Source.kind == f.source))
    if f.status:
        stmt = stmt.where(Message.status == f.status)
    if f.received_from:
        stmt = stmt.where(Message.received_at >= f.received_from)
    if f.received_to:
        stmt = stmt.where(Message.received_at <= f.received_to)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    page = session.execute(stmt.order_by(Message.received_at.desc(), Message.id.desc()).limit(limit).offset(offset))
    return total, [(m, name) for m, name in page.all()]


def get_message(session: Session, message_id: int) -> tuple[Message, str | None]:
    row = session.execute(select(Message, Source.name).join(Source, Source.id == Message.source_id)
                          .where(Message.id == message_id)).first()
    if row is None:
        raise NotFoundError(f"message {message_id} does not exist")
    return row[0], row[1]
