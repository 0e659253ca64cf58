"""Fixtures for the serve tests: seeded departments, one user per role, messages like 泰迪杯 附件4 rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from massline.db.models.intake import Source
from massline.db.models.message import Message
from massline.db.models.users import User
from massline.serve import accounts, create_user, seed_departments

CST = timezone(timedelta(hours=8))
PASSWORD = "correct horse battery staple"


def to_cst(text: str) -> datetime:
    """``"2019-11-04 09:00"`` as an aware China-time datetime (what the intake stores)."""
    return datetime.fromisoformat(text).replace(tzinfo=CST)


@pytest.fixture
def password() -> str:
    """The password every fixture user has."""
    return PASSWORD


@pytest.fixture
def cst() -> Callable[[str], datetime]:
    return to_cst


@pytest.fixture(autouse=True)
def _fast_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2, cheap parameters: the default costs ~0.5 s a hash on a busy 2-core CI box."""
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def seeded(session: Session) -> Session:
    seed_departments(session)
    session.flush()
    return session


@pytest.fixture
def users(seeded: Session) -> dict[str, User]:
    """admin, dispatcher, analyst and handlers of zjj (城乡建设), jtysj (交通运输), sthjj (环境保护)."""
    specs = {
        "admin": ("administrator", None),
        "disp": ("dispatcher", "rxb"),
        "ana": ("analyst", None),
        "h_zjj": ("handler", "zjj"),
        "h_jt": ("handler", "jtysj"),
        "h_env": ("handler", "sthjj"),
    }
    out = {name: create_user(seeded, username=name, password=PASSWORD, role=role, department_code=dep)
           for name, (role, dep) in specs.items()}
    seeded.flush()
    return out


@pytest.fixture
def make_message(session: Session) -> Callable[..., Message]:
    source = Source(name="test-fixture", kind="file")
    session.add(source)
    session.flush()

    def make(body: str, *, title: str | None = None, created_at: datetime | None = None,
             meta: dict[str, Any] | None = None) -> Message:
        msg = Message(source_id=source.id, body=body, original=body, title=title, created_at=created_at,
                      meta=meta or {})
        session.add(msg)
        session.flush()
        return msg

    return make
