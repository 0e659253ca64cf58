"""Shared counters for login throttling and rate limits (one row per key).

Why a table: with several worker processes (``uvicorn --workers N``, several hosts) an
in-process counter lets an attacker get ``N ×`` the allowed attempts, and a restart forgets
them. The database every worker already shares is enough for login and form rates; Redis
(``MASSLINE_REDIS_URL``) takes over when set. Times are epoch seconds (floats), the same
numbers the Redis backend stores, because only differences of them are ever used.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from massline.db.base import Base


class RateCounter(Base):
    """Events counted for ``key`` since ``first_at`` (a fixed window that restarts when it has passed)."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[float] = mapped_column(Float)
    last_at: Mapped[float] = mapped_column(Float, index=True)
