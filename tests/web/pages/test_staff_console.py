"""The staff console: login and audit, inbox filters, triage, work orders, dashboard, and masking per role."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.pages.pages_helpers import PASSWORD, csrf, login

from massline.db.models.audit import AuditEvent
from massline.db.models.message import Message
from massline.db.models.workorders import Reply, WorkOrder
from massline.db.session import session_scope

RAW_ID, RAW_PHONE = "110101199003074258", "13812345678"


def _pii_message_id(url: str) -> int:
    with session_scope(url) as session:
        return int(session.scalar(select(Message.id).where(Message.body.contains(RAW_ID))))


def _audit(url: str, action: str) -> list[AuditEvent]:
    with session_scope(url) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_when_not_logged_in_then_staff_pages_redirect_to_login(client: TestClient) -> None:
    response = client.get("/staff/inbox?q=x", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/staff/login?next=")


def test_when_the_password_is_wrong_then_login_fails_and_both_attempts_are_audited(client: TestClient, seeded) -> None:
    bad = client.post("/staff/login", data={"csrf_token": csrf(client), "username": "dispatcher", "password": "nope"})
    assert bad.status_code == 401 and "用户名或密码不正确" in bad.text
    login(client, "dispatcher")
    url = seeded.resolved_database_url()
    assert _audit(url, "auth.login_failed") and _audit(url, "auth.login")


def test_when_searching_and_filtering_the_inbox_then_only_matches_are_listed(client: TestClient) -> None:
    login(client, "analyst")
    assert "共 6 条" in client.get("/staff/inbox").text
    page = client.get("/staff/inbox", params={"q": "噪音"}).text
    assert "共 1 条" in page and "噪音扰民" in page
    assert "共 2 条" in client.get("/staff/inbox", params={"category": "城乡建设"}).text
    assert "共 2 条" in client.get("/staff/inbox", params={"confidence_max": "0.6"}).text
    assert "共 1 条" in client.get("/staff/inbox", params={"district": "A1区"}).text
    partial = client.get("/staff/inbox", params={"q": "社保"},
                         headers={"HX-Request": "true", "HX-Target": "inbox-results"})
    assert "<html" not in partial.text and "共 1 条" in partial.text


@pytest.mark.parametrize("role", ["analyst", "handler", "dispatcher", "administrator"])
def test_when_a_message_has_an_id_number_and_phone_then_staff_pages_show_them_masked(
    client: TestClient, seeded, role: str
) -> None:
    login(client, role)
    mid = _pii_message_id(seeded.resolved_database_url())
    for path in (f"/staff/messages/{mid}", "/staff/inbox", "/staff/triage"):
        page = client.get(path)
        if page.status_code == 403:  # the triage queue is for dispatchers and administrators
            continue
        assert RAW_ID not in page.text and RAW_PHONE not in page.text, path


def test_when_the_administrator_asks_for_the_raw_text_then_it_needs_a_reason_and_is_audited(
    client: TestClient, seeded
) -> None:
    url = seeded.resolved_database_url()
    mid = _pii_message_id(url)
    token = login(client, "analyst")
    assert client.post(f"/staff/messages/{mid}/raw", data={"csrf_token": token, "reason": "x"}).status_code == 403
    client.post("/staff/logout", data={"csrf_token": token})
    token = login(client, "administrator")
    assert client.post(f"/staff/messages/{mid}/raw", data={"csrf_token": token, "reason": ""}).status_code == 422
    assert not _audit(url, "pii.raw_view")
    raw = client.post(f"/staff/messages/{mid}/raw", data={"csrf_token": token, "reason": "核实来电人身份"})
    assert raw.status_code == 200 and RAW_ID in raw.text
    events = _audit(url, "pii.raw_view")
    assert len(events) == 1 and events[0].actor == "administrator" and events[0].reason == "核实来电人身份"


def test_when_the_dispatcher_confirms_a_triaged_message_then_a_work_order_is_assigned(
    client: TestClient, seeded
) -> None:
    token = login(client, "dispatcher")
    page = client.get("/staff/triage").text
    ids = [int(i) for i in re.findall(r'id="triage-(\d+)"', page)]
    assert len(ids) == 2
    done = client.post(f"/staff/triage/{ids[0]}", data={"csrf_token": token, "category": ""},
                       headers={"HX-Request": "true"})
    assert done.status_code == 200 and "已分拨" in done.text
    with session_scope(seeded.resolved_database_url()) as session:
        wo = session.scalar(select(WorkOrder).where(WorkOrder.message_id == ids[0]))
        assert wo is not None and wo.status == "assigned"
    assert f'id="triage-{ids[0]}"' not in client.get("/staff/triage").text


def test_when_a_handler_replies_then_the_reply_is_stored_with_its_pii_check(client: TestClient, seeded) -> None:
    url = seeded.resolved_database_url()
    with session_scope(url) as session:
        wo_id = session.scalar(
            select(WorkOrder.id).where(WorkOrder.category == "城乡建设", WorkOrder.status == "replied"))
    token = login(client, "handler")
    page = client.get(f"/staff/workorders/{wo_id}")
    assert page.status_code == 200 and 'id="timeline"' in page.text
    check = client.post(f"/staff/workorders/{wo_id}/quality", data={"csrf_token": token, "text": f"请拨打{RAW_PHONE}"})
    assert "发现" in check.text and RAW_PHONE not in check.text
    sent = client.post(f"/staff/workorders/{wo_id}/reply", data={"csrf_token": token, "text": "已复查，问题已解决。",
                                                                  "public": "yes"}, follow_redirects=False)
    assert sent.status_code == 303
    with session_scope(url) as session:
        texts = list(session.scalars(select(Reply.text).where(Reply.work_order_id == wo_id)))
    assert "已复查，问题已解决。" in texts


def test_when_a_handler_opens_another_departments_case_then_it_is_not_found(client: TestClient, seeded) -> None:
    with session_scope(seeded.resolved_database_url()) as session:
        other = session.scalar(select(WorkOrder.id).where(WorkOrder.category == "环境保护"))
    login(client, "handler")
    assert client.get(f"/staff/workorders/{other}").status_code == 404


def test_when_the_dashboard_is_opened_then_chart_data_is_embedded_and_non_zero(client: TestClient) -> None:
    login(client, "analyst")
    page = client.get("/staff/dashboard").text
    data = json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page, re.S).group(1))
    assert sum(d["value"] for d in data["category"]) == 4
    assert data["months"] and sum(data["received"]) == 4


def test_when_a_staff_form_lacks_the_csrf_token_then_it_is_refused(client: TestClient) -> None:
    login(client, "dispatcher")
    assert client.post("/staff/triage/1", data={"category": ""}).status_code == 403


def test_when_logged_in_with_a_password_from_the_fixture_then_the_name_is_shown(client: TestClient) -> None:
    assert PASSWORD
    login(client, "dispatcher")
    assert "分拨员" in client.get("/staff/inbox").text


def test_when_a_browser_prefers_english_then_the_console_is_english(client: TestClient) -> None:
    login(client, "analyst")
    page = client.get("/staff/dashboard", headers={"Accept-Language": "en-US,en;q=0.9,zh;q=0.5"}).text
    assert 'lang="en"' in page and "Dashboard" in page and "Response rate" in page
    assert "Inbox" in client.get("/staff/inbox?lang=en").text
