"""The public portal: Open311's validation with field-level errors, the token, masked replies, rating."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.pages.pages_helpers import csrf

from massline.db.models.workorders import WorkOrder
from massline.db.session import session_scope
from massline.serve.lifecycle import accept, reply

VALID = {"service_code": "huanjing-baohu", "title": "夜间施工噪音", "description": "工地每晚十一点后仍在施工。",
         "address_string": "A1区某路100号"}


def test_when_fields_are_missing_then_each_is_named_and_nothing_is_stored(client: TestClient) -> None:
    data = {**VALID, "service_code": "", "address_string": "", "csrf_token": csrf(client, "/")}
    response = client.post("/request", data=data)
    assert response.status_code == 422
    assert "请选择问题类别" in response.text and "请填写问题地点（地址）" in response.text
    assert 'aria-invalid="true"' in response.text


def test_when_the_form_is_posted_without_csrf_then_it_is_refused(client: TestClient) -> None:
    assert client.post("/request", data=VALID).status_code == 403


def test_when_a_valid_request_is_followed_by_token_then_replies_are_masked_and_rating_works(
    client: TestClient, seeded
) -> None:
    data = {**VALID, "phone": "13812345678", "csrf_token": csrf(client, "/")}
    response = client.post("/request", data=data, follow_redirects=False)
    assert response.status_code == 303
    token = response.headers["location"].split("/track/")[1].split("?")[0]
    page = client.get(f"/track/{token}?new=1")
    assert token in page.text and "夜间施工噪音" in page.text
    assert "13812345678" not in page.text
    url = seeded.resolved_database_url()
    with session_scope(url) as session:
        wo = session.scalar(select(WorkOrder).where(WorkOrder.token == token))
        assert wo is not None and wo.category == "环境保护"
        wo.status = "assigned"
        accept(session, wo, actor="system")
        reply(session, wo, actor="system", text="已处理，联系人电话13987654321，身份证110101199003074258")
    page = client.get(f"/track/{token}")
    assert "已处理" in page.text
    assert "13987654321" not in page.text and "110101199003074258" not in page.text
    rated = client.post(f"/track/{token}/rate", data={"value": "满意", "comment": "好",
                                                      "csrf_token": csrf(client, f"/track/{token}")})
    assert rated.status_code == 200 and "感谢您的评价" in rated.text


def test_when_the_token_is_unknown_then_a_clear_404_is_shown(client: TestClient) -> None:
    response = client.get("/track/no-such-token")
    assert response.status_code == 404 and "没有找到" in response.text


def test_when_english_is_asked_then_the_portal_is_english(client: TestClient) -> None:
    response = client.get("/?lang=en")
    assert 'lang="en"' in response.text and "Submit a request" in response.text
    assert 'lang="zh-CN"' in client.get("/?lang=zh").text


def test_when_a_browser_asks_for_the_favicon_then_it_gets_the_site_icon(client: TestClient) -> None:
    page = client.get("/")
    assert '<link rel="icon" href="/static/favicon.svg"' in page.text
    legacy = client.get("/favicon.ico", follow_redirects=False)
    assert legacy.status_code == 301 and legacy.headers["location"] == "/static/favicon.svg"
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
