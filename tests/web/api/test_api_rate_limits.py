"""Rate limits and login throttling over HTTP, counted in the shared counters (every worker sees them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi.testclient import TestClient

from massline.db.session import session_scope
from massline.security.throttle import FREE_PAIR
from massline.serve.accounts import create_user
from massline.web.app import create_app

if TYPE_CHECKING:
    from tests.web.api.conftest import Api

FORM = {"service_code": "huanjing-baohu", "address_string": "A1区", "description": "噪音", "attribute[title]": "噪音"}


def test_when_an_api_key_posts_too_fast_then_429_in_the_spec_format(api_shared: Api) -> None:
    settings = api_shared.settings.model_copy(update={"api_rate_limit": 2})
    with TestClient(create_app(settings)) as client:
        codes = [client.post("/open311/v2/requests.json", data={**FORM, "api_key": api_shared.api_key}).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 429]
        body = client.post("/open311/v2/requests.json", data={**FORM, "api_key": api_shared.api_key}).json()
        assert body[0]["code"] == 429 and "api_key" in body[0]["description"]
    with TestClient(create_app(settings)) as second_worker:  # another process, same shared counters
        refused = second_worker.post("/open311/v2/requests.json", data={**FORM, "api_key": api_shared.api_key})
        assert refused.status_code == 429


def test_when_one_address_fails_too_often_then_it_waits_but_the_owner_elsewhere_logs_in(
        api_shared: Api, cheap_hashing: None) -> None:
    with session_scope(api_shared.url) as session:
        create_user(session, username="slow", password="right-password-1", role="analyst")
    app = create_app(api_shared.settings)
    with TestClient(app, client=("203.0.113.9", 4000)) as attacker, \
            TestClient(app, client=("198.51.100.7", 4000)) as owner:
        for _ in range(FREE_PAIR):
            assert attacker.post("/api/auth/token", data={"username": "slow", "password": "nope"}).status_code == 401
        blocked = attacker.post("/api/auth/token", data={"username": "slow", "password": "right-password-1"})
        assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1
        assert attacker.get("/api/auth/me", auth=("slow", "right-password-1")).status_code == 429
        assert owner.post("/api/auth/token", data={"username": "slow", "password": "right-password-1"}).status_code \
            == 200  # no lockout: the right password from another address works at once
        assert attacker.post("/api/auth/token", data={"username": "other", "password": "x"}).status_code == 401
