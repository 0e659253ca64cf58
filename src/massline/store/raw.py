"""Keeping every input verbatim before anything else happens to it.

The order matters: the bytes are committed as a :class:`RawItem` first, then read and
cleaned. If a reader or a component fails halfway, the input is still there to be
re-processed — nothing that reached massline is ever lost. ``sha256`` is unique, so storing
the same bytes twice returns the existing row instead of a copy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.db.models.intake import Quarantine, RawItem, RawItemPart, Source

#: Size of one stored part of a large input (see :class:`RawItemPart`).
PART_SIZE = 8 * 1024 * 1024


def sha256_hex(data: bytes) -> str:
    """The content key of a raw item (hex SHA-256); intake uses it to recognise inputs it has seen."""
    return hashlib.sha256(data).hexdigest()


def get_or_create_source(session: Session, name: str, kind: str, url: str | None = None) -> Source:
    """The channel called ``name`` (created on first use; names are unique)."""
    name = name[:200]
    source = session.scalars(select(Source).where(Source.name == name)).first()
    if source is None:
        source = Source(name=name, kind=kind, url=url)
        session.add(source)
        session.flush()
    return source


def store_raw(
    session: Session,
    *,
    source_id: int,
    origin: str,
    content: bytes,
    content_type: str,
    parent_id: int | None = None,
    locator: str | None = None,
    headers: dict[str, Any] | None = None,
    unique: bool = False,
    status: str = "new",
) -> tuple[RawItem, bool]:
    """Store ``content`` once; returns the row and whether it was new.

    ``unique``: the content cannot have been stored before (it carries its own nonce), so the
    look-up is skipped — one statement less per request on intake's hot path; the unique hash
    still guards it. ``status``: what the row says when it is inserted (a caller that processes
    it in the same transaction inserts it ``processed`` rather than updating it right after).
    """
    digest = sha256_hex(content)
    existing = None if unique else session.scalars(select(RawItem).where(RawItem.sha256 == digest)).first()
    if existing is not None:
        return existing, False
    item = RawItem(
        source_id=source_id,
        parent_id=parent_id,
        origin=origin,
        locator=locator,
        content_type=content_type[:100],
        content=content,
        sha256=digest,
        headers=headers,
        status=status,
    )
    session.add(item)
    session.flush()
    return item, True


def store_raw_file(session: Session, *, source_id: int, origin: str, path: Path, sha256: str,
                   content_type: str) -> tuple[RawItem, bool]:
    """Store the file at ``path`` (whose hash is ``sha256``) once, in parts of :data:`PART_SIZE` bytes.

    Memory holds one part at a time: each is flushed and let go before the next is read. Returns
    the row and whether it was new, like :func:`store_raw`.
    """
    existing = session.scalars(select(RawItem).where(RawItem.sha256 == sha256)).first()
    if existing is not None:
        return existing, False
    item = RawItem(source_id=source_id, origin=origin, content_type=content_type[:100], content=b"", sha256=sha256,
                   status="new", headers={"stored_in_parts": PART_SIZE})
    session.add(item)
    session.flush()
    with path.open("rb") as f:
        seq = 0
        while chunk := f.read(PART_SIZE):
            part = RawItemPart(raw_item_id=item.id, seq=seq, content=chunk)
            session.add(part)
            session.flush()
            session.expunge(part)
            seq += 1
    return item, True


def raw_content(session: Session, item: RawItem) -> Iterator[bytes]:
    """The bytes of ``item`` exactly as received, part by part for a large input kept in parts."""
    if item.content or not (item.headers or {}).get("stored_in_parts"):
        yield item.content
        return
    seqs = session.scalars(select(RawItemPart.seq).where(RawItemPart.raw_item_id == item.id)
                           .order_by(RawItemPart.seq)).all()
    for seq in seqs:
        yield session.scalars(select(RawItemPart.content).where(RawItemPart.raw_item_id == item.id,
                                                                RawItemPart.seq == seq)).one()


def existing_raw_rows(session: Session, digests: Iterable[str]) -> dict[str, tuple[int, str]]:
    """The (id, status) of the stored raw items among ``digests``, as plain rows — bulk intake keeps no ORM
    objects (one query per call, callers pass a batch; none for no digests)."""
    wanted = list(set(digests))
    if not wanted:
        return {}
    rows = session.execute(select(RawItem.sha256, RawItem.id, RawItem.status).where(RawItem.sha256.in_(wanted)))
    return {digest: (raw_id, status) for digest, raw_id, status in rows}


def quarantine(
    session: Session,
    *,
    origin: str,
    reason: str,
    raw_item_id: int | None = None,
    locator: str | None = None,
    field: str | None = None,
    content: str | None = None,
) -> Quarantine:
    """Keep a record that could not be read; the same problem seen again counts an attempt, not a new row."""
    existing = None
    if raw_item_id is not None:
        existing = session.scalars(
            select(Quarantine).where(
                Quarantine.raw_item_id == raw_item_id,
                Quarantine.locator.is_(None) if locator is None else Quarantine.locator == locator,
                Quarantine.resolved.is_(False),
            )
        ).first()
    if existing is not None:
        existing.attempts += 1
        existing.reason, existing.field = reason, field
        return existing
    row = Quarantine(
        raw_item_id=raw_item_id,
        origin=origin,
        locator=locator,
        field=field,
        reason=reason,
        content=content,
    )
    session.add(row)
    return row
