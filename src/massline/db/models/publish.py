"""Publicize (宣传群众): posts and their revisions, attachments, webhooks, reactions, comments, subscriptions.

Why no audience table: segments are computed from aggregates on demand and never stored, so
there is no per-person profile to leak. A reaction keeps only a keyed, per-day hash of the
reader's client (enough to count distinct readers per day and to refuse repeats, not enough to
follow anyone across days); a subscription keeps the e-mail address it must write to and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from massline.db.base import Base, utcnow


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # notice | explainer | reply | correction
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown as written (rendered + sanitised on output)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    districts: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    author: Mapped[str] = mapped_column(String(200))
    reviewer: Mapped[str | None] = mapped_column(String(200))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id", ondelete="SET NULL"))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    # {"found": {TYPE: n}, "content": sha256 of the checked text, "waived": reason|None, "by": user}
    pii_check: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    publish_at: Mapped[datetime | None] = mapped_column(index=True)  # scheduled publication
    unpublish_at: Mapped[datetime | None] = mapped_column(index=True)  # scheduled archiving
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    archived_at: Mapped[datetime | None] = mapped_column()


class PostRevision(Base):
    """Every saved version of a post (title, body, topics, districts), for the diff and the record."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    districts: Mapped[list[Any]] = mapped_column(default=list)
    author: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class PostEvent(Base):
    """What happened to a post (submit, approve, reject, publish, schedule, archive, mask, waive …)."""

    __tablename__ = "post_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)


class PostAttachment(Base):
    """An image or PDF, checked by its magic bytes and stored by content hash outside the web root."""

    __tablename__ = "post_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(200))  # HMAC key shared with the receiver
    topics: Mapped[list[Any]] = mapped_column(default=list)  # empty = every topic
    districts: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="system")


class WebhookDelivery(Base):
    """One payload to one endpoint: the delivery log (attempts, last status, next try)."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    event: Mapped[str] = mapped_column(String(50))
    payload: Mapped[str] = mapped_column(Text)  # the exact bytes signed and sent (UTF-8 JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)  # pending|delivered|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()
    resent_from_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_deliveries.id"))


class Reaction(Base):
    __tablename__ = "post_reactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(String(20))  # helpful | not_helpful
    client_day: Mapped[str] = mapped_column(String(64), index=True)  # keyed hash of (day, client): not linkable
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Comment(Base):
    """A reader's comment; shown only once approved (pre-moderation), always with personal data masked."""

    __tablename__ = "post_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)  # as written (staff-only)
    public_body: Mapped[str] = mapped_column(Text)  # masked for the public output
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)  # pending|approved|rejected
    at: Mapped[datetime] = mapped_column(default=utcnow)
    moderated_by: Mapped[str | None] = mapped_column(String(200))
    moderated_at: Mapped[datetime | None] = mapped_column()
    reason: Mapped[str | None] = mapped_column(Text)


class Subscription(Base):
    __tablename__ = "post_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    topic: Mapped[str | None] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)  # pending|active|unsubscribed
    token: Mapped[str] = mapped_column(String(64), unique=True)  # confirm + unsubscribe link
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column()
    unsubscribed_at: Mapped[datetime | None] = mapped_column()
