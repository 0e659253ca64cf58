"""Deadlines: the administrator's working-day overrides and in-app notifications.

``CalendarOverride`` beats every other calendar source (the statutory calendar of the
``chinesecalendar`` package, the YAML lists, weekends): a local holiday (a typhoon day, a city
festival) or an extra working day is one row, changed by ``massline calendar set`` and audited.

``Notification`` is the in-app inbox: the escalation sweep writes one row per escalated case
and level (the unique key makes the sweep idempotent); staff read them in the console.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from massline.db.base import Base, utcnow


class CalendarOverride(Base):
    """One date declared a holiday (``kind='holiday'``) or a working day (``kind='workday'``)."""

    __tablename__ = "calendar_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # holiday | workday
    note: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(200), default="system")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """A message for a department's staff (or a user) shown in the console; ``read_at`` when seen."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("key", name="uq_notifications_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120))  # what it is about, e.g. "escalation:42:1" (idempotency)
    kind: Mapped[str] = mapped_column(String(30), index=True)  # escalation
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column()
