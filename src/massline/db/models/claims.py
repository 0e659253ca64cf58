"""The fact-check desk: checked claims (the evidence base), their revisions, the match review
queue, and published corrections.

Why revisions as full snapshots: an editor must be able to see exactly what a claim said when a
correction was published or a message was matched, and a revision is never edited afterwards —
retiring a claim is a new revision with ``status = retired``, nothing is deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from massline.db.base import Base, utcnow


class Claim(Base):
    """One checked claim: what is claimed, the verdict, the evidence and where it came from."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[str] = mapped_column(String(200), unique=True)  # stable external id (import key)
    text: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(40), index=True)
    evidence: Mapped[str] = mapped_column(Text, default="")
    variants: Mapped[list[Any]] = mapped_column(default=list)
    sources: Mapped[list[Any]] = mapped_column(default=list)  # [{url, title, date}]
    author: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(16), default="zh")
    claim_date: Mapped[str | None] = mapped_column(String(40))  # ISO date the claim appeared, as given
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)  # active | retired
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), default="system")


class ClaimRevision(Base):
    """An immutable snapshot of a claim after each change (who, why, what)."""

    __tablename__ = "claim_revisions"
    __table_args__ = (UniqueConstraint("claim_pk", "revision", name="uq_claim_revisions_claim_rev"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_pk: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClaimMatchReview(Base):
    """A message/claim pair the matcher was unsure about, waiting for (or decided by) an editor."""

    __tablename__ = "claim_match_reviews"
    __table_args__ = (UniqueConstraint("message_id", "claim_pk", name="uq_claim_match_reviews_msg_claim"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    claim_pk: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)  # pending|confirmed|rejected
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column()


class Correction(Base):
    """A public correction drafted from one claim: draft → reviewed → published."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_pk: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    claim_revision: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    rating: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)  # draft|reviewed|published
    author: Mapped[str] = mapped_column(String(200))
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column()
