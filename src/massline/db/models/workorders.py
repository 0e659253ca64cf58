"""Work orders (cases), their append-only history, co-handlers, replies, ratings and requester contacts.

Why the timestamps on ``WorkOrder`` (``first_response_at``, ``closed_at`` …) exist although the
events hold the truth: metrics are SQL aggregates over many cases, and a column is what SQL can
group fast. They are written only by ``massline.serve`` in the same transaction as the event
that implies them, never edited by hand.

Personal data of the requester lives in ``Contact`` (reached by ``contact_id``), never in the
work order itself, so public outputs cannot leak it by selecting a column too many.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from massline.db.base import Base, utcnow


class Contact(Base):
    """Who asked (staff-only; reading it is audited as ``pii.raw_view``)."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), index=True)  # keyed hash: same person → same ref
    first_name: Mapped[str | None] = mapped_column(String(200))
    last_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    device_id: Mapped[str | None] = mapped_column(String(200))
    account_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkOrder(Base):
    __tablename__ = "work_orders"
    # AUTOINCREMENT on SQLite: an id once handed out (a request number a citizen tracks) is never
    # given again, even when the row with the highest id is gone. PostgreSQL sequences never reuse.
    __table_args__ = (
        # the public Open311 list: published rows only, in its order (migration 0014_listindex)
        Index("ix_work_orders_published_list", "created_at", "id",
              postgresql_where=text("public"), sqlite_where=text("public")),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # the requester's secret link / Open311 token
    # unique: one message is one case, whoever opens it and however often (migration 0004_loop)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"), index=True,
                                                   unique=True)
    source: Mapped[str] = mapped_column(String(20), default="message")  # message | open311 | web | import | staff
    category: Mapped[str | None] = mapped_column(String(100), index=True)
    service_code: Mapped[str | None] = mapped_column(String(100), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")  # staff view (as received, cleaned)
    public_description: Mapped[str] = mapped_column(Text, default="")  # masked for "public" output
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    route_confidence: Mapped[float | None] = mapped_column(Float)
    route_reason: Mapped[str | None] = mapped_column(Text)
    district: Mapped[str | None] = mapped_column(String(100), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    long: Mapped[float | None] = mapped_column(Float)
    address_string: Mapped[str | None] = mapped_column(Text)
    media_url: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column()
    replied_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    close_reason: Mapped[str | None] = mapped_column(String(20))  # resolved | invalid | merged
    due_response_at: Mapped[datetime | None] = mapped_column()
    due_close_at: Mapped[datetime | None] = mapped_column()
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    reopened_at: Mapped[datetime | None] = mapped_column()  # the close deadline runs from here after a reopen
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)  # highest level the sweep acted on
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), index=True)
    #: Published on Open311 lists and public pages: only when the requester consented or an editor
    #: published it (``published_by``: ``requester`` or ``editor:<name>``); private by default.
    public: Mapped[bool] = mapped_column(default=False, server_default=false(), index=True)
    published_by: Mapped[str | None] = mapped_column(String(200))
    #: Stored and committed, its analysis and routing not finished yet (durable-first intake: the
    #: engine's ``route_request`` task clears it). Such a case has no department yet: a dispatcher
    #: sees it, no department's handler does.
    routing_pending: Mapped[bool] = mapped_column(default=False, server_default=false(), index=True)


class WorkOrderEvent(Base):
    """One step in a case's life (append-only): who, when, what (kind, status change), why."""

    __tablename__ = "work_order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[str | None] = mapped_column(Text)


class CoHandler(Base):
    """A department working on a case: exactly one ``lead`` (mirrors ``lead_department_id``), any ``co``."""

    __tablename__ = "work_order_cohandlers"
    __table_args__ = (UniqueConstraint("work_order_id", "department_id", name="uq_work_order_cohandlers_wo_dept"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="co")  # lead | co
    active: Mapped[bool] = mapped_column(default=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by: Mapped[str] = mapped_column(String(200), default="system")


class Reply(Base):
    """An answer to the requester (``public``) or an internal note; ``public_text`` is the masked copy."""

    __tablename__ = "work_order_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    author: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    text: Mapped[str] = mapped_column(Text)
    public_text: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(default=False)
    pii_check: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"found": [types], "masked": bool}


class Rating(Base):
    """The requester's satisfaction with the reply (满意 / 基本满意 / 不满意), newest counts."""

    __tablename__ = "work_order_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    value: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    current: Mapped[bool] = mapped_column(default=True)
