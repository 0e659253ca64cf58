"""Stored demand forecasts: what was forecast, by which model and version, from which data window."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from massline.db.base import Base, utcnow


class DemandForecast(Base):
    __tablename__ = "demand_forecasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    made_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    level: Mapped[str] = mapped_column(String(20), index=True)  # total | category | district
    key: Mapped[str] = mapped_column(String(200))
    freq: Mapped[str] = mapped_column(String(1))  # D | W
    horizon: Mapped[int] = mapped_column(Integer)
    model: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))
    data_start: Mapped[date] = mapped_column(Date)
    data_end: Mapped[date] = mapped_column(Date)
    sparse: Mapped[bool] = mapped_column(default=False)
    # [{"period": "2020-01-08", "point": 12.3, "lo": 8, "hi": 17}, …]
    values: Mapped[list[Any]] = mapped_column(default=list)
    notes: Mapped[list[Any]] = mapped_column(default=list)
