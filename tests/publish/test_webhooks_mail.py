"""Webhooks against real local HTTP receivers (signature checked, failure retried); e-mail through a real
local SMTP server (aiosmtpd): double opt-in, one-click unsubscribe, no tracking pixels."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.db.models.users import User
from massline.db.session import session_scope
from massline.publish import posts as svc
from massline.publish import subscriptions, webhooks
from massline.publish.schedule import announce, run_scheduled_jobs
from massline.serve.accounts import get_user

SECRET = "shared-secret"


class Receiver:
    """A real HTTP server in a thread; ``fail_first`` answers 503 to the first N requests."""

    def __init__(self, fail_first: int = 0) -> None:
        self.received: list[dict[str, Any]] = []
        self.fail_first = fail_first
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = webhooks.verify(SECRET, body, self.headers.get(webhooks.SIGNATURE_HEADER))
                outer.received.append({"body": body, "signature_ok": ok,
                                       "event": self.headers.get(webhooks.EVENT_HEADER)})
                if outer.fail_first > 0:
                    outer.fail_first -= 1
                    self.send_response(503)
                else:
                    self.send_response(204 if ok else 401)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _published(session: Session, staff: dict[str, User], *, at: datetime | None = None) -> int:
    post = svc.create_post(session, kind="notice", title="停电通知", body="A1区明日停电", actor=staff["ed1"],
                           topics=["城乡建设"], districts=["A1区"])
    svc.submit(session, post, actor=staff["ed1"])
    svc.approve(session, post, actor=staff["rev"])
    svc.publish(session, post, actor=staff["rev"], at=at, now=datetime.now(UTC))
    return post.id


def test_signed_delivery_retry_with_backoff_and_resend(session: Session, staff: dict[str, User]) -> None:
    with Receiver() as good, Receiver(fail_first=1) as flaky:
        webhooks.create_endpoint(session, name="good", url=good.url, actor="admin", secret=SECRET)
        webhooks.create_endpoint(session, name="flaky", url=flaky.url, actor="admin", secret=SECRET,
                                 topics=["城乡建设"])
        webhooks.create_endpoint(session, name="other topic", url=good.url, actor="admin", secret=SECRET,
                                 topics=["教育文体"])
        post_id = _published(session, staff)
        now = datetime.now(UTC)
        first = webhooks.deliver_due(session, max_attempts=3, now=now)
        assert first == {"delivered": 1, "retry": 1, "failed": 0}
        assert len(good.received) == 1 and good.received[0]["signature_ok"]
        payload = json.loads(good.received[0]["body"])
        assert payload["event"] == "post.published" and payload["post"]["id"] == post_id
        log = {d.endpoint_id: d for d in webhooks.deliveries(session)}
        retry = next(d for d in log.values() if d.status == "pending")
        assert retry.attempts == 1 and retry.last_status_code == 503
        assert retry.next_attempt_at is not None
        assert webhooks.deliver_due(session, max_attempts=3, now=now + timedelta(seconds=10))["retry"] == 0  # backoff
        second = webhooks.deliver_due(session, max_attempts=3, now=now + timedelta(seconds=webhooks.BACKOFF_SECONDS))
        assert second["delivered"] == 1 and retry.status == "delivered" and retry.attempts == 2
        assert all(r["signature_ok"] for r in flaky.received) and len(flaky.received) == 2
        again = webhooks.resend(session, retry.id, actor="rev")
        webhooks.deliver_due(session, max_attempts=3)
        assert again.status == "delivered" and again.resent_from_id == retry.id and len(flaky.received) == 3
    assert not webhooks.verify(SECRET, b"{}", webhooks.sign("wrong", b"{}"))


def test_delivery_gives_up_after_max_attempts(session: Session, staff: dict[str, User]) -> None:
    with Receiver(fail_first=10) as down:
        webhooks.create_endpoint(session, name="down", url=down.url, actor="admin", secret=SECRET)
        _published(session, staff)
        now = datetime.now(UTC)
        for i in range(3):
            webhooks.deliver_due(session, max_attempts=3, now=now + timedelta(hours=i))
        (row,) = webhooks.deliveries(session)
        assert row.status == "failed" and row.attempts == 3 and row.next_attempt_at is None


@pytest.fixture
def smtp() -> Iterator[tuple[str, int, list[Any]]]:
    from aiosmtpd.controller import Controller

    inbox: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            inbox.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, inbox
    finally:
        controller.stop()


def test_double_opt_in_notification_and_one_click_unsubscribe(settings: Settings, smtp: tuple[str, int, list[Any]],
                                                              ) -> None:
    from tests.publish.conftest import make_staff

    host, port, inbox = smtp
    cfg = settings.model_copy(update={"smtp_host": host, "smtp_port": port, "scheduler_interval": 0,
                                      "public_base_url": "https://gov.example.org"})
    url = cfg.resolved_database_url()
    with session_scope(url) as s:
        make_staff(s)
        sub = subscriptions.subscribe(s, email="Reader@Example.com", topic="城乡建设", district=None)
        other = subscriptions.subscribe(s, email="other@example.com", topic="教育文体", district=None)
        subscriptions.send_mails(cfg, [subscriptions.confirmation_mail(cfg, sub)])
        token, other_token = sub.token, other.token
    assert len(inbox) == 1 and f"/subscriptions/confirm/{token}" in inbox[0].get_body(("plain",)).get_content()
    with session_scope(url) as s:  # before confirmation nothing but the confirmation is sent
        staff = {n: get_user(s, n) for n in ("ed1", "rev")}
        pid = _published(s, staff, at=datetime.now(UTC) + timedelta(minutes=5))
    run_scheduled_jobs(cfg, datetime.now(UTC) + timedelta(minutes=6))
    assert len(inbox) == 1
    with session_scope(url) as s:
        subscriptions.confirm(s, token)
        subscriptions.confirm(s, other_token)
    with session_scope(url) as s:
        staff = {n: get_user(s, n) for n in ("ed1", "rev")}
        pid = _published(s, staff)
    announce(cfg, [pid])
    assert len(inbox) == 2  # the 教育文体 subscriber gets nothing
    mail = inbox[1]
    assert mail["To"] == "reader@example.com" and mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/subscriptions/unsubscribe/{token}" in mail["List-Unsubscribe"]
    html_part = mail.get_body(("html",)).get_content()
    assert "<img" not in html_part.lower() and "停电通知" in html_part
    from fastapi.testclient import TestClient

    from massline.web.app import create_app

    with TestClient(create_app(cfg)) as client:  # RFC 8058: a POST without cookie or CSRF token
        assert client.post(f"/subscriptions/unsubscribe/{token}").status_code == 200
    with session_scope(url) as s:
        staff = {n: get_user(s, n) for n in ("ed1", "rev")}
        pid = _published(s, staff)
    announce(cfg, [pid])
    assert len(inbox) == 2
