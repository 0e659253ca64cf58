"""Read-only queries behind the staff pages: the inbox (filters, search, pages) and one message.

Why here and not in the routes: route handlers never write ``select()``; these functions are
plain and tested on SQLite and PostgreSQL. Search is ``LIKE``/``ILIKE`` over the cleaned title
and body — portable, good enough for a few hundred thousand messages on SQLite; PostgreSQL
can add a pg_trgm index later without changing this code.

Analysis results are stored as JSON; comparing a JSON scalar to a string is not portable, so
category/district filters compare the column's text form with the same serialisation the
JSON type used to write it (``json.dumps``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from massline.core.clock import day_bounds
from massline.db.models.intake import Source
from massline.db.models.message import AnalysisResult, Message

CATEGORY_KEY = "category"
DISTRICT_KEY = "district"
PAGE_SIZE = 25


@dataclass(slots=True)
class InboxFilters:
    """What the inbox form asks for; every field optional."""

    q: str = ""
    source: str = ""
    category: str = ""
    district: str = ""
    status: str = ""
    date_from: datetime | None = None
    date_to: datetime | None = None
    confidence_max: float | None = None
    confidence_min: float | None = None
    page: int = 1

    def query_string(self, **changes: Any) -> str:
        from urllib.parse import urlencode

        values = {
            "q": self.q, "source": self.source, "category": self.category, "district": self.district,
            "status": self.status,
            "date_from": self.date_from.strftime("%Y-%m-%d") if self.date_from else "",
            "date_to": self.date_to.strftime("%Y-%m-%d") if self.date_to else "",
            "confidence_max": "" if self.confidence_max is None else str(self.confidence_max),
            "confidence_min": "" if self.confidence_min is None else str(self.confidence_min),
            "page": str(self.page),
        }
        values.update({k: str(v) for k, v in changes.items()})
        return urlencode({k: v for k, v in values.items() if v and not (k == "page" and v == "1")})


@dataclass(slots=True)
class InboxRow:
    id: int
    title: str
    snippet: str
    source: str
    status: str
    created_at: datetime | None
    category: str | None
    confidence: float | None
    district: str | None
    duplicate_of: int | None


@dataclass(slots=True)
class InboxPage:
    rows: list[InboxRow]
    total: int
    page: int
    pages: int
    filters: InboxFilters
    facets: dict[str, list[str]] = field(default_factory=dict)


def _json_text(value: str) -> str:
    return json.dumps(value)


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(filters: InboxFilters, dialect: str = "sqlite", wall: Any = None) -> Any:
    stmt = select(Message.id).join(Source, Source.id == Message.source_id)
    conditions: list[Any] = [] if wall is None else [wall]
    if filters.q.strip():
        for term in filters.q.split():
            pattern = _like(term)
            if dialect == "postgresql":
                conditions.append(or_(Message.title.ilike(pattern, escape="\\"),
                                      Message.body.ilike(pattern, escape="\\")))
            else:  # SQLite's LIKE already ignores ASCII case; ilike's lower() on every body costs 3x
                conditions.append(or_(Message.title.like(pattern, escape="\\"),
                                      Message.body.like(pattern, escape="\\")))
    if filters.source:
        conditions.append(or_(Source.name == filters.source, Source.kind == filters.source))
    if filters.status:
        conditions.append(Message.status == filters.status)
    # calendar days in the installation's zone; "date to" includes its whole day
    start, end = day_bounds(filters.date_from.date() if filters.date_from else None,
                            filters.date_to.date() if filters.date_to else None)
    if start is not None:
        conditions.append(Message.created_at >= start)
    if end is not None:
        conditions.append(Message.created_at < end)
    if filters.category or filters.confidence_max is not None or filters.confidence_min is not None:
        cat = aliased(AnalysisResult)
        stmt = stmt.join(cat, and_(cat.message_id == Message.id, cat.key == CATEGORY_KEY, cat.current.is_(True)))
        if filters.category:
            conditions.append(cast(cat.value, String) == _json_text(filters.category))
        if filters.confidence_max is not None:
            conditions.append(cat.confidence <= filters.confidence_max)
        if filters.confidence_min is not None:
            conditions.append(cat.confidence >= filters.confidence_min)
    if filters.district:
        dist = aliased(AnalysisResult)
        stmt = stmt.join(dist, and_(dist.message_id == Message.id, dist.key == DISTRICT_KEY, dist.current.is_(True)))
        conditions.append(cast(dist.value, String) == _json_text(filters.district))
    return stmt.where(*conditions)


def current_results(session: Session, message_ids: list[int], keys: tuple[str, ...]) -> dict[int, dict[str, Any]]:
    """``{message_id: {key: AnalysisResult}}`` for the current rows of ``keys``."""
    out: dict[int, dict[str, Any]] = {mid: {} for mid in message_ids}
    if not message_ids:
        return out
    rows = session.scalars(
        select(AnalysisResult).where(
            AnalysisResult.message_id.in_(message_ids), AnalysisResult.key.in_(keys), AnalysisResult.current.is_(True)
        )
    )
    for row in rows:
        out[row.message_id][row.key] = row
    return out


def _scalar_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        for name in ("label", "name", "value", "district", "department"):
            if name in value:
                return str(value[name])
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def inbox_page(session: Session, filters: InboxFilters, *, mask: Any, page_size: int = PAGE_SIZE,
               wall: Any = None) -> InboxPage:
    """One page of the inbox, newest first; ``mask`` turns a text into what this viewer may see.

    ``wall``: an SQL condition on ``Message`` the viewer is limited to (``walls.message_wall``).
    """
    base = _filtered(filters, session.get_bind().dialect.name, wall).subquery()
    total = int(session.scalar(select(func.count()).select_from(base)) or 0)
    pages = max(1, (total + page_size - 1) // page_size)
    page = min(max(1, filters.page), pages)
    ids_stmt = (
        select(Message, Source.name)
        .join(Source, Source.id == Message.source_id)
        .where(Message.id.in_(select(base.c.id)))
        .order_by(Message.created_at.desc().nulls_last(), Message.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    found = session.execute(ids_stmt).all()
    results = current_results(session, [m.id for m, _ in found], (CATEGORY_KEY, DISTRICT_KEY))
    rows: list[InboxRow] = []
    for message, source_name in found:
        res = results.get(message.id, {})
        cat = res.get(CATEGORY_KEY)
        dist = res.get(DISTRICT_KEY)
        body = " ".join((message.body or "").split())
        rows.append(InboxRow(
            id=message.id,
            title=mask(message.title or body[:40]),
            snippet=mask(body[:80]),
            source=source_name,
            status=message.status,
            created_at=message.created_at or message.received_at,
            category=_scalar_text(cat.value) if cat else None,
            confidence=cat.confidence if cat else None,
            district=_scalar_text(dist.value) if dist else None,
            duplicate_of=message.duplicate_of,
        ))
    filters.page = page
    return InboxPage(rows=rows, total=total, page=page, pages=pages, filters=filters)


def facet_values(session: Session) -> dict[str, list[str]]:
    """Choices for the filter drop-downs (distinct sources, statuses, categories, districts)."""
    sources = sorted({n for (n,) in session.execute(select(Source.name))})
    statuses = sorted({s for (s,) in session.execute(select(Message.status).distinct()) if s})
    out: dict[str, list[str]] = {"source": sources, "status": statuses}
    for key in (CATEGORY_KEY, DISTRICT_KEY):
        as_text = cast(AnalysisResult.value, String)
        values = session.execute(
            select(as_text).where(AnalysisResult.key == key, AnalysisResult.current.is_(True))
            .group_by(as_text).limit(200)
        )
        names: set[str] = set()
        for (text,) in values:
            try:
                parsed = json.loads(text)
            except (TypeError, ValueError):
                continue
            if isinstance(parsed, str):
                names.add(parsed)
        out[key] = sorted(names)
    return out


def message_detail(session: Session, message_id: int) -> tuple[Message, str, list[AnalysisResult]] | None:
    """A message, its channel name, and every analysis result (current first, then history)."""
    message = session.get(Message, message_id)
    if message is None:
        return None
    source = session.get(Source, message.source_id)
    results = list(session.scalars(
        select(AnalysisResult).where(AnalysisResult.message_id == message_id)
        .order_by(AnalysisResult.current.desc(), AnalysisResult.key, AnalysisResult.created_at.desc())
    ))
    return message, source.name if source else "", results


def duplicates_of(session: Session, message: Message, limit: int = 10, wall: Any = None) -> list[Message]:
    """Messages marked as duplicates of this one, and the one it duplicates (within ``wall``)."""
    ids: list[int] = []
    if message.duplicate_of:
        ids.append(message.duplicate_of)
    ids.extend(session.scalars(select(Message.id).where(Message.duplicate_of == message.id).limit(limit)))
    if not ids:
        return []
    stmt = select(Message).where(Message.id.in_(ids))
    return list(session.scalars(stmt if wall is None else stmt.where(wall)))
