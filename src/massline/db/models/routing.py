"""Routing: the category → department table and dispatchers' triage decisions.

The YAML file ``massline/data/routing.yaml`` is the shipped default; the database copy is the
one that counts at run time, so an administrator can change a rule without a release (every
change is audited). Departments themselves live in one table, ``departments``
(``massline.db.models.users.Department``, seeded from the same YAML); rules refer to them by code.
``TriageDecision`` rows are append-only: a later decision on the same message adds a row,
and the newest one is the dispatcher's current word.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from massline.db.base import Base, utcnow


class RoutingRule(Base):
    """Which department receives messages of one category."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(100), unique=True)
    department_code: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), default="system")


class TriageDecision(Base):
    """A dispatcher's decision on one message: category, department, who, why, and what it replaced."""

    __tablename__ = "triage_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(100))
    department_code: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    previous: Mapped[dict[str, Any]] = mapped_column(default=dict)
