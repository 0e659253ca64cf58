"""Guide incidents: an alert or a hot issue taken up as work (identify → analyse → handle → review → prevent)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from massline.db.base import Base, utcnow


class Incident(Base):
    __tablename__ = "guide_incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    origin_kind: Mapped[str] = mapped_column(String(20))  # alert | issue | manual
    origin_ref: Mapped[str | None] = mapped_column(String(200), index=True)  # alert_id / issue_id
    stage: Mapped[str] = mapped_column(String(20), default="identify", index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open | closed
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    risk_score: Mapped[float | None] = mapped_column(Float)
    risk_level: Mapped[str | None] = mapped_column(String(10))
    risk_reasons: Mapped[list[Any]] = mapped_column(default=list)
    escalation: Mapped[int] = mapped_column(Integer, default=0)  # 0 = none, 1 = district leader, 2 = city
    due_at: Mapped[datetime | None] = mapped_column()
    review: Mapped[str | None] = mapped_column(Text)  # the closing review: what happened, what prevents a repeat
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()


class IncidentEvent(Base):
    """One step of an incident (append-only): who, when, what, from which stage to which, why."""

    __tablename__ = "guide_incident_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("guide_incidents.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class IncidentLink(Base):
    """A message or a case (work order) linked to an incident."""

    __tablename__ = "guide_incident_links"
    __table_args__ = (UniqueConstraint("incident_id", "kind", "target_id", name="uq_guide_incident_links_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("guide_incidents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # message | case
    target_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
