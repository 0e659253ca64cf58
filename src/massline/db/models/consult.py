"""Consultations (Pol.is-style): statements, pseudonymous participants, votes and their history.

Why a current-vote table *and* an event table: the opinion maths needs exactly one vote per
participant and statement (a unique row, cheap to read), while "changes allowed, history kept"
needs every change (append-only events). Participants are pseudonymous: only the SHA-256 of
their cookie token is stored, never the token itself, and no name or contact.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from massline.db.base import Base, utcnow


class Consultation(Base):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    question: Mapped[str] = mapped_column(Text)
    background_md: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime | None] = mapped_column(default=None)
    closes_at: Mapped[datetime | None] = mapped_column(default=None)
    moderation: Mapped[str] = mapped_column(String(10), default="post")  # "pre" | "post"
    languages: Mapped[list[Any]] = mapped_column(default=lambda: ["zh"])
    source: Mapped[str] = mapped_column(String(200), default="massline")
    attribution: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200), default="system")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsultStatement(Base):
    __tablename__ = "consult_statements"
    __table_args__ = (UniqueConstraint("consultation_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(64), default=None)
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10), default="zh")
    author_participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("consult_participants.id", ondelete="SET NULL"), default=None)
    is_seed: Mapped[bool] = mapped_column(default=False)
    #: "pending" (awaiting pre-moderation), "accepted", "rejected" (kept, reversible, never deleted)
    status: Mapped[str] = mapped_column(String(12), default="accepted", index=True)
    moderation_reason: Mapped[str | None] = mapped_column(Text, default=None)
    pii_types: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsultParticipant(Base):
    __tablename__ = "consult_participants"
    __table_args__ = (UniqueConstraint("consultation_id", "token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(Integer, default=None)  # set when a logged-in staff user votes
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsultVote(Base):
    """The current vote of one participant on one statement (1 agree, -1 disagree, 0 pass)."""

    __tablename__ = "consult_votes"
    __table_args__ = (UniqueConstraint("participant_id", "statement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("consult_participants.id", ondelete="CASCADE"))
    statement_id: Mapped[int] = mapped_column(ForeignKey("consult_statements.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsultVoteEvent(Base):
    """Append-only history: every vote as cast, including the ones later changed."""

    __tablename__ = "consult_vote_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("consult_participants.id", ondelete="CASCADE"),
                                                index=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("consult_statements.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(SmallInteger)
    cast_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
