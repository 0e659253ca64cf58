"""Fixtures for the HTTP API tests: an app on the test database, an Open311 API key, staff users.

The app is the real one (``create_app``) on the migrated database of ``db_url`` (SQLite and
PostgreSQL) or of ``sqlite_url`` for backend-independent tables of error cases.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from massline.core.config import Settings
from massline.db.session import get_engine, session_scope, upgrade
from massline.serve import accounts
from massline.serve.accounts import create_api_key, create_user
from massline.serve.departments import seed_departments
from massline.web.app import create_app

PASSWORD = "correct-horse-battery"


@dataclass
class Api:
    client: TestClient
    url: str
    settings: Settings
    api_key: str

    def post_request(self, fmt: str = "json", **fields: str) -> dict[str, object]:
        data = {"api_key": self.api_key, "service_code": "huanjing-baohu", "lat": "28.19", "long": "112.97",
                "description": "小区旁边工地夜间施工噪音扰民", "attribute[title]": "夜间施工噪音", **fields}
        response = self.client.post(f"/open311/v2/requests.{fmt}", data=data)
        assert response.status_code == 200, response.text
        if fmt == "json":
            return dict(response.json()[0])
        return {}

    def login(self, username: str) -> dict[str, str]:
        response = self.client.post("/api/auth/token", data={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


#: username → (role, department code); handlers of two different departments for the A/B tests.
USERS: dict[str, tuple[str, str | None]] = {
    "admin": ("administrator", None),
    "dispatcher": ("dispatcher", None),
    "handler_env": ("handler", "sthjj"),  # 生态环境局: handles 环境保护
    "handler_edu": ("handler", "jyj"),  # 教育局: handles 教育文体
    "analyst": ("analyst", None),
}


def _make_api(url: str, data_dir: Path) -> Iterator[Api]:
    settings = Settings(database_url=url, data_dir=data_dir, secret_key="test-secret")
    with session_scope(url) as session:
        seed_departments(session)
        _, key = create_api_key(session, "test client")
    with TestClient(create_app(settings)) as client:
        yield Api(client=client, url=url, settings=settings, api_key=key)


@pytest.fixture
def api(db_url: str, tmp_path: Path) -> Iterator[Api]:
    """The app on SQLite and on PostgreSQL, with departments and one Open311 API key."""
    yield from _make_api(db_url, tmp_path / "data")


@pytest.fixture
def api_sqlite(sqlite_url: str, tmp_path: Path) -> Iterator[Api]:
    """The same on SQLite only (for cases whose logic does not touch the backend)."""
    yield from _make_api(sqlite_url, tmp_path / "data")


@pytest.fixture(scope="module")
def api_shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One SQLite app per test module, for tests that only read or only get refused (error tables)."""
    path = tmp_path_factory.mktemp("api")
    url = f"sqlite:///{path / 'massline.db'}"
    upgrade(url)
    yield from _make_api(url, path / "data")
    get_engine(url).dispose()


class KeywordModel:
    """A stand-in for the trained classifier (same contract), so auto-routing runs without training."""

    version = "keywords-1"

    def __init__(self) -> None:
        self.classes = ["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"]
        self.rules = {"噪音": ("环境保护", 0.95), "学校": ("教育文体", 0.92), "物业": ("城乡建设", 0.55)}

    def _one(self, text: str) -> tuple[str, float]:
        return next((rule for word, rule in self.rules.items() if word in text), ("城乡建设", 0.40))

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        return [self._one(t) for t in texts]

    def predict_proba(self, texts: Sequence[str]) -> Any:
        import numpy as np

        out = np.full((len(texts), len(self.classes)), 0.01)
        for i, (label, prob) in enumerate(self.predict(texts)):
            out[i, self.classes.index(label)] = prob
        return out

    def explain(self, text: str, label: str, k: int = 5) -> list[tuple[str, float]]:
        return [(w, 1.0) for w in self.rules if w in text][:k]


@pytest.fixture
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with the library's cheapest parameters (the default costs ~0.6 s a hash on a busy CI box)."""
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def staff(api: Api, cheap_hashing: None) -> Api:
    """``api`` plus one user per role (password :data:`PASSWORD`, see :data:`USERS`) and a classifier.

    Argon2 keeps its algorithm with cheap parameters (:func:`cheap_hashing`): these tests are about
    permissions, not hashing cost.
    """
    with session_scope(api.url) as session:
        for username, (role, department) in USERS.items():
            create_user(session, username=username, password=PASSWORD, role=role, department_code=department)
    api.client.app.state.analyze_configs = {"analyze.category": {"model": KeywordModel()}}  # type: ignore[attr-defined]
    return api
