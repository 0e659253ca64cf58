"""Departments (city → district → department), staff users with roles, and Open311 API keys.

Secrets are never stored: a user has an argon2 hash of the password, an API key a keyed
SHA-256 of the token (plus a short non-secret prefix so an administrator can tell keys apart).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from massline.db.base import Base, utcnow


class Department(Base):
    """One unit of the organisation tree; ``parent_id`` is the level a case escalates to."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    level: Mapped[str] = mapped_column(String(20), default="department")  # city | district | department
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """A staff member (or a registered member of the public); ``role`` is one of ``serve.roles.ROLES``."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()
    #: Bumped on logout, password change, deactivation and role change: every older session
    #: cookie and bearer token (they carry the version) stops working at once.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")


class ApiKey(Base):
    """An Open311 client's key: only ``key_hash`` is kept; ``revoked_at`` set means refused."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(20), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="system")
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()
