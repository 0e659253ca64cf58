"""Fixtures for publicize tests: editors, a reviewer, an analyst; a live web app; a local HTTP receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.db.models.users import User
from massline.db.session import session_scope
from massline.serve import accounts

PASSWORD = "password123"
STAFF = {"ed1": "editor", "ed2": "editor", "rev": "reviewer", "ana": "analyst", "admin": "administrator"}


@pytest.fixture(autouse=True)
def _fast_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def make_staff(session: Session) -> dict[str, User]:
    return {name: accounts.create_user(session, username=name, password=PASSWORD, role=role)
            for name, role in STAFF.items()}


@pytest.fixture
def staff(session: Session) -> dict[str, User]:
    people = make_staff(session)
    session.flush()
    return people


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    """The test settings with the scheduler off (tests call it explicitly) and a public address."""
    s = settings.model_copy(update={"scheduler_interval": 0, "public_base_url": "https://gov.example.org"})
    with session_scope(s.resolved_database_url()) as session:
        make_staff(session)
    return s


@pytest.fixture
def client(app_settings: Settings) -> Iterator[TestClient]:
    from massline.web.app import create_app

    with TestClient(create_app(app_settings)) as c:
        yield c
