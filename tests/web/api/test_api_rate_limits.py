"""Rate limits: Open311 POSTs per API key, failed staff logins per username (per process)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient

from massline.db.session import session_scope
from massline.serve.accounts import create_user
from massline.web.api.ratelimit import SlidingWindow
from massline.web.app import create_app

if TYPE_CHECKING:
    from tests.web.api.conftest import Api

FORM = {"service_code": "huanjing-baohu", "address_string": "A1区", "description": "噪音", "attribute[title]": "噪音"}


def test_when_a_window_is_full_then_hits_wait_until_the_oldest_expires() -> None:
    window = SlidingWindow(2, window=0.2)
    assert window.hit("k") is None and window.hit("k") is None
    wait = window.hit("k")
    assert wait is not None and 0 < wait <= 0.2 and window.retry_after("k") is not None
    assert window.hit("other") is None  # keys are independent
    time.sleep(0.25)
    assert window.retry_after("k") is None and window.hit("k") is None
    assert SlidingWindow(0).hit("k") is None  # 0 = unlimited


def test_when_an_api_key_posts_too_fast_then_429_in_the_spec_format(api_shared: Api) -> None:
    settings = api_shared.settings.model_copy(update={"api_rate_limit": 2})
    with TestClient(create_app(settings)) as client:
        codes = [client.post("/open311/v2/requests.json", data={**FORM, "api_key": api_shared.api_key}).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 429]
        body = client.post("/open311/v2/requests.json", data={**FORM, "api_key": api_shared.api_key}).json()
        assert body[0]["code"] == 429 and "api_key" in body[0]["description"]


def test_when_a_username_fails_too_often_then_even_the_right_password_waits(api_shared: Api,
                                                                          cheap_hashing: None) -> None:
    with session_scope(api_shared.url) as session:
        create_user(session, username="slow", password="right-password-1", role="analyst")
    with TestClient(create_app(api_shared.settings)) as client:
        for _ in range(10):
            assert client.post("/api/auth/token", data={"username": "slow", "password": "nope"}).status_code == 401
        blocked = client.post("/api/auth/token", data={"username": "slow", "password": "right-password-1"})
        assert blocked.status_code == 429 and "Retry-After" in blocked.headers
        assert client.get("/api/auth/me", auth=("slow", "right-password-1")).status_code == 429
        assert client.post("/api/auth/token", data={"username": "other", "password": "x"}).status_code == 401
