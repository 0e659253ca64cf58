"""``/healthz`` and ``/readyz``: alive vs able to work (database, broker, Redis when configured)."""

from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient

from massline.core.config import Settings
from massline.web.app import create_app


def test_ready_when_the_database_answers(engine_settings: Settings) -> None:
    client = TestClient(create_app(engine_settings))
    assert client.get("/healthz").status_code == 200
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json()["checks"] == {"database": "ok", "broker": "embedded", "redis": "not configured"}


def test_not_ready_names_the_broker_that_does_not_answer(engine_settings: Settings) -> None:
    settings = engine_settings.model_copy(update={"broker_url": "amqp://guest:guest@127.0.0.1:1//"})
    answer = TestClient(create_app(settings)).get("/readyz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "not ready" and body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error:")


def test_redis_is_checked_when_configured(engine_settings: Settings) -> None:
    url = os.environ.get("MASSLINE_TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis not configured: set MASSLINE_TEST_REDIS_URL to run this test")
    ok = TestClient(create_app(engine_settings.model_copy(update={"redis_url": url}))).get("/readyz")
    assert ok.status_code == 200 and ok.json()["checks"]["redis"] == "ok"
    bad = TestClient(create_app(engine_settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}))).get("/readyz")
    assert bad.status_code == 503 and bad.json()["checks"]["redis"].startswith("error:")
