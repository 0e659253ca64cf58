"""Console sessions: re-read from the database on every request, ended by logout, password change and
deactivation; login throttled per address without locking the owner out; Secure cookie over HTTPS."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.pages.pages_helpers import PASSWORD, csrf, login
from typer.testing import CliRunner

from massline.cli.app import app as cli_app
from massline.core.config import Settings
from massline.db.models.users import User
from massline.db.session import session_scope
from massline.security.throttle import FREE_PAIR
from massline.serve.accounts import get_user, set_password
from massline.web.app import create_app
from massline.web.pages.security import SESSION_COOKIE


def _cookie(client: TestClient) -> str:
    value = client.cookies.get(SESSION_COOKIE)
    assert value
    return value


def _replay(seeded: Settings, cookie: str, path: str = "/staff/inbox") -> int:
    """What a copy of ``cookie`` gets in a fresh browser."""
    with TestClient(create_app(seeded), cookies={SESSION_COOKIE: cookie}) as other:
        return other.get(path, follow_redirects=False).status_code


def test_when_logged_out_then_a_copied_cookie_no_longer_works(client: TestClient, seeded: Settings) -> None:
    token = login(client, "dispatcher")
    stolen = _cookie(client)
    assert _replay(seeded, stolen) == 200
    assert client.post("/staff/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert _replay(seeded, stolen) == 303  # back to the login page


def test_when_the_password_changes_or_the_user_is_deactivated_then_sessions_end(client: TestClient,
                                                                               seeded: Settings) -> None:
    login(client, "analyst")
    cookie = _cookie(client)
    with session_scope(seeded.resolved_database_url()) as session:
        set_password(session, get_user(session, "analyst"), "new-password-123", actor="test")
    assert _replay(seeded, cookie) == 303
    login(client, "dispatcher")
    cookie = _cookie(client)
    runner = CliRunner()
    env = {"MASSLINE_DATABASE_URL": seeded.resolved_database_url(), "MASSLINE_SECRET_KEY": "test-secret"}
    result = runner.invoke(cli_app, ["users", "deactivate", "dispatcher", "--reason", "left"], env=env)
    assert result.exit_code == 0, result.output
    assert _replay(seeded, cookie) == 303
    refused = client.post("/staff/login", data={"csrf_token": csrf(client), "username": "dispatcher",
                                                "password": PASSWORD}, follow_redirects=False)
    assert refused.status_code == 401
    assert runner.invoke(cli_app, ["users", "reactivate", "dispatcher"], env=env).exit_code == 0
    login(client, "dispatcher")


def test_role_and_department_are_read_from_the_database_on_each_request(client: TestClient,
                                                                       seeded: Settings) -> None:
    login(client, "administrator")
    assert "管理员" in client.get("/staff/inbox").text
    with session_scope(seeded.resolved_database_url()) as session:
        session.scalar(select(User).where(User.username == "administrator")).role = "analyst"  # type: ignore[union-attr]
    page = client.get("/staff/inbox").text
    assert "分析员" in page and "管理员" not in page
    cookie = client.cookies.get(SESSION_COOKIE) or ""
    assert "administrator" not in cookie and "role" not in cookie  # the cookie carries no role


def test_when_one_address_guesses_then_it_waits_while_the_owner_logs_in_elsewhere(seeded: Settings) -> None:
    app = create_app(seeded)
    with TestClient(app, client=("203.0.113.9", 1)) as attacker, TestClient(app, client=("198.51.100.7", 1)) as owner:
        for _ in range(FREE_PAIR):
            wrong = attacker.post("/staff/login", data={"csrf_token": csrf(attacker), "username": "administrator",
                                                        "password": "wrong"}, follow_redirects=False)
            assert wrong.status_code == 401
        delayed = attacker.post("/staff/login", data={"csrf_token": csrf(attacker), "username": "administrator",
                                                      "password": PASSWORD}, follow_redirects=False)
        assert delayed.status_code == 429 and re.search(r"请 \d+ 秒后再试", delayed.text)
        login(owner, "administrator")  # the right password from another address: no lockout


def test_when_https_then_the_session_cookie_is_secure(seeded: Settings) -> None:
    with TestClient(create_app(seeded.model_copy(update={"https": True})), base_url="https://testserver") as c:
        login(c, "analyst")
        response = c.post("/staff/login", data={"csrf_token": csrf(c), "username": "analyst", "password": PASSWORD},
                          follow_redirects=False)
        cookie = response.headers["set-cookie"]
        assert "secure" in cookie.lower() and "httponly" in cookie.lower()
        assert response.headers["strict-transport-security"].startswith("max-age=")
