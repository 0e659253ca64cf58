"""Cleaned docs → ``messages`` rows, in batches, with duplicates linked and results saved.

Why batches: 15k messages inserted one commit at a time take minutes on SQLite; one flush
per batch takes seconds. The duplicate index needs ids, so a batch is flushed first and
then linked (the duplicate columns are set on the already-flushed rows).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from massline.core.types import Doc
from massline.db.base import utcnow
from massline.db.models.message import AnalysisResult, Message
from massline.store.dedup import DuplicateLinker, content_hash, hash_normalised, link_messages, normalise


def pseudonym(secret: str, author: str | None) -> str | None:
    """A keyed hash of an author name: stable within one installation, not reversible without the secret."""
    if author is None or not author.strip():
        return None
    return hmac.new(secret.encode("utf-8"), author.strip().encode("utf-8"), hashlib.sha256).hexdigest()


def json_safe(value: Any) -> Any:
    """Make ``meta`` storable as JSON the same way on SQLite and PostgreSQL."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return value.item()
    return str(value)


@dataclass(slots=True)
class Pending:
    """A cleaned doc and the facts intake knows about it that the doc does not carry."""

    doc: Doc
    source_id: int
    raw_item_id: int | None
    original_title: str | None = None
    author_ref: str | None = None
    created_at: datetime | None = None


def to_message(p: Pending, norm: str | None = None, *, hashed: bool = True) -> Message:
    return Message(**message_values(p, norm, hashed=hashed))


def message_values(p: Pending, norm: str | None = None, *, hashed: bool = True) -> dict[str, Any]:
    """The column values of the new message for ``p`` (an ORM object or a row of a bulk insert).

    ``hashed=False`` leaves ``content_hash`` empty: the message's duplicate check is deferred
    (:func:`massline.store.dedup_shared.link_deferred` sets it), and until then no other message
    can take it for a first occurrence."""
    doc = p.doc
    body = doc.text or ""
    return dict(
        source_id=p.source_id,
        raw_item_id=p.raw_item_id,
        external_id=(doc.external_id or None) and str(doc.external_id)[:200],
        title=doc.title,
        body=body,
        original=doc.original,
        original_title=p.original_title,
        language=doc.language,
        content_type=doc.content_type,
        author_ref=p.author_ref,
        created_at=None if p.created_at is None else p.created_at.astimezone(UTC),  # SQLite drops offsets
        received_at=utcnow(),
        cleaned_at=utcnow(),
        flags=[f.to_dict() for f in doc.flags],
        meta=json_safe(doc.meta),
        content_hash=None if not hashed else content_hash(body) if norm is None else hash_normalised(norm),
        status="new",
    )


def first_results(message_id: int, doc: Doc) -> list[AnalysisResult]:
    """:func:`first_result_values` as ORM objects."""
    return [AnalysisResult(**values) for values in first_result_values(message_id, doc)]


def first_result_values(message_id: int, doc: Doc) -> list[dict[str, Any]]:
    """Result rows of a brand-new message (what cleaning decided, e.g. its language).

    A new message has no earlier rows to retire, so this is a plain insert (the general
    history-keeping writer, ``massline.store.results.save_results``, costs a query per
    message); only the last result of a key is current, as there.
    """
    last = {r.key: i for i, r in enumerate(doc.results)}
    return [
        {"message_id": message_id, "component": r.component, "version": r.version, "key": r.key,
         "value": json_safe(r.value), "confidence": r.confidence, "reason": r.reason or "",
         "current": last[r.key] == i}
        for i, r in enumerate(doc.results)
    ]


def save_messages(session: Session, pending: list[Pending],
                  index: DuplicateLinker | None) -> tuple[list[Message], int, int]:
    """Insert the batch, link duplicates to first occurrences, save any results the pipeline produced.

    ``index=None`` defers the duplicate check to whoever routes the messages later (a request's
    intake answers before it, see :func:`massline.store.dedup_shared.link_deferred`).
    Returns (messages, exact duplicates, near duplicates).
    """
    norms = [normalise(p.doc.text or "") for p in pending] if index is not None else None
    messages = [to_message(p, norms[i] if norms else None, hashed=norms is not None) for i, p in enumerate(pending)]
    session.add_all(messages)
    session.flush()
    exact, near = link_messages(index, messages, norms) if index is not None else (0, 0)
    for message, p in zip(messages, pending, strict=True):
        p.doc.message_id = message.id
        session.add_all(first_results(message.id, p.doc))
    session.flush()
    return messages, exact, near


def insert_messages(session: Session, pending: list[Pending], index: DuplicateLinker) -> tuple[list[int], int, int]:
    """:func:`save_messages` for bulk intake, without ORM objects: one multi-row insert of the batch
    (ids returned in order), duplicates linked on plain ids and set by one executemany update, results
    in one multi-row insert. Same rows as :func:`save_messages`.

    Returns (message ids in ``pending`` order, exact duplicates, near duplicates).
    """
    if not pending:
        return [], 0, 0
    norms = [normalise(p.doc.text or "") for p in pending]
    values = [message_values(p, n) for p, n in zip(pending, norms, strict=True)]
    ids = list(session.scalars(insert(Message).returning(Message.id, sort_by_parameter_order=True), values))
    links = index.link_rows([(i, n, v["content_hash"]) for i, n, v in zip(ids, norms, values, strict=True)])
    if links:
        session.execute(update(Message), [{"id": i, "duplicate_of": m.message_id, "duplicate_kind": m.kind,
                                           "similarity": m.similarity} for i, m in links])
    results = []
    for message_id, p in zip(ids, pending, strict=True):
        p.doc.message_id = message_id
        results += first_result_values(message_id, p.doc)
    if results:
        session.execute(insert(AnalysisResult), results)
    exact = sum(m.kind == "exact" for _, m in links)
    return ids, exact, len(links) - exact
