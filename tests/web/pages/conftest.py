"""A seeded app for page tests: the tiny sample case load, one user per role (password ``password123``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.web.pages.pages_helpers import PASSWORD

from massline.core.config import Settings
from massline.db.session import session_scope
from massline.web.app import create_app
from massline.web.pages.sample import create_user_with_password, seed_sample
from massline.web.pages.staff_dashboard import clear_cache

ROLES = ("administrator", "dispatcher", "handler", "analyst")


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: the default costs ~0.5 s per hash on a busy 2-core machine."""
    from argon2 import PasswordHasher

    import massline.serve.accounts as accounts

    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def seeded(settings: Settings, fast_hashing: None) -> Settings:
    with session_scope(settings.resolved_database_url()) as session:
        seed_sample(session, secret_key="test-secret")
        for role in ROLES:
            create_user_with_password(session, role, role, PASSWORD)
    return settings


@pytest.fixture
def client(seeded: Settings) -> Iterator[TestClient]:
    clear_cache()  # the PostgreSQL database is reused (emptied) between tests
    with TestClient(create_app(seeded)) as c:
        yield c
