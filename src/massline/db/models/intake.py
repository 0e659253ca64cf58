"""Channels and the verbatim record of everything that came in (nothing lost)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from massline.db.base import Base, utcnow


class Source(Base):
    """A channel: a file import, a web page or feed, the web form, an Open311 client."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # file | web | feed | form | open311
    url: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RawItem(Base):
    """An input exactly as received: a whole file or page (``parent_id`` empty) or one record of it.

    ``sha256`` of ``content`` is unique, so re-ingesting the same input is a no-op.
    """

    __tablename__ = "raw_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("raw_items.id"), index=True)
    origin: Mapped[str] = mapped_column(Text)  # path or URL
    locator: Mapped[str | None] = mapped_column(String(100))  # "row 12", "line 3", "entry 4"
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="new")  # new | processed | quarantined
    headers: Mapped[dict[str, Any] | None] = mapped_column()


class RawItemPart(Base):
    """One fixed-size part of a large input kept verbatim (its :class:`RawItem` has empty ``content``).

    Why: a million-row file is hundreds of megabytes; held as one value it would have to fit in
    memory (and under the databases' per-value limits) before anything is stored. Parts are
    written as the file is read, so intake memory stays flat; concatenated in ``seq`` order they
    are the file byte for byte (its sha256 is the raw item's).
    """

    __tablename__ = "raw_item_parts"

    raw_item_id: Mapped[int] = mapped_column(ForeignKey("raw_items.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Quarantine(Base):
    """A record that could not be read: kept with where it came from and why."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    raw_item_id: Mapped[int | None] = mapped_column(ForeignKey("raw_items.id"), index=True)
    origin: Mapped[str] = mapped_column(Text)
    locator: Mapped[str | None] = mapped_column(String(100))
    field: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    content: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
