"""Messages (cleaned, with the original kept) and every automatic decision about them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from massline.db.base import Base, utcnow


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 (ids never reused on SQLite)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    raw_item_id: Mapped[int | None] = mapped_column(ForeignKey("raw_items.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(200), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    original: Mapped[str] = mapped_column(Text)
    original_title: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(100), default="text/plain")
    author_ref: Mapped[str | None] = mapped_column(String(64), index=True)  # pseudonym (keyed hash)
    created_at: Mapped[datetime | None] = mapped_column(index=True)  # when the citizen wrote it
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    cleaned_at: Mapped[datetime | None] = mapped_column()
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    duplicate_kind: Mapped[str | None] = mapped_column(String(16))  # exact | near
    similarity: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)


class AnalysisResult(Base):
    """One result of one component version; re-runs add rows and mark older ones not current."""

    __tablename__ = "analysis_results"
    __table_args__ = (Index("ix_analysis_results_msg_key_current", "message_id", "key", "current"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    component: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(50))
    key: Mapped[str] = mapped_column(String(50), index=True)
    value: Mapped[Any] = mapped_column(JSON)
    confidence: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="")
    current: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
