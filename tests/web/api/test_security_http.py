"""Security over HTTP: headers on every answer, refused input, private-by-default Open311, the editor's publish.

Runs on SQLite and PostgreSQL where the database matters (``staff``/``api`` fixtures), on one
shared SQLite app for input that is refused before it reaches the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from massline.db.session import session_scope
from massline.security.counters import DatabaseCounters
from massline.serve.accounts import create_user

if TYPE_CHECKING:
    from tests.web.api.conftest import Api

from tests.web.api.conftest import PASSWORD

POST = {"service_code": "huanjing-baohu", "lat": "28.194567", "long": "112.976543",
        "description": "我叫张三，住在芙蓉路88号3栋，电话13800138000，小区旁边工地夜间施工噪音扰民",
        "attribute[title]": "夜间施工噪音"}


@pytest.mark.parametrize("path", ["/", "/staff/login", "/track", "/api/auth/me", "/open311/v2/services.json",
                                  "/healthz", "/staff/inbox"])
def test_every_answer_carries_the_security_headers(api_shared: Api, path: str) -> None:
    response = api_shared.client.get(path, follow_redirects=False)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_static_files_may_be_cached(api_shared: Api) -> None:
    response = api_shared.client.get("/static/css/app.css")
    assert response.status_code == 200 and response.headers.get("cache-control") != "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/staff/messages/99999999999999999999", "/api/work-orders/99999999999999999999",
                                  "/open311/v2/requests/99999999999999999999.json",
                                  "/staff/workorders/123456789012345678901234567890"])
def test_when_an_id_is_beyond_64_bits_then_404_not_500(api_shared: Api, path: str) -> None:
    assert api_shared.client.get(path, follow_redirects=False).status_code == 404


def test_when_a_field_holds_a_null_byte_then_422_naming_it(api_shared: Api) -> None:
    client = api_shared.client
    response = client.post("/open311/v2/requests.json",
                           data={**POST, "api_key": api_shared.api_key, "description": "噪音\x00扰民"})
    assert response.status_code == 422 and "description" in response.json()[0]["description"]
    xml = client.post("/open311/v2/requests.xml", data={**POST, "api_key": api_shared.api_key, "phone": "1\x003"})
    assert xml.status_code == 422 and "<description>phone:" in xml.text
    query = client.get("/open311/v2/requests.json?status=open%00")
    assert query.status_code == 422 and "status" in query.text
    api = client.post("/api/work-orders", json={"message_id": 1, "reason": "a\x00b"})
    assert api.status_code == 422 and api.json()["detail"][0]["loc"] == ["reason"]
    form = client.post("/request", data={"title": "t\x00", "description": "d"})
    assert form.status_code == 422 and "title" in form.text


@pytest.mark.parametrize(("fields", "status", "names"), [
    ({"media_url": "http://127.0.0.1:6379/"}, 400, "media_url"),
    ({"media_url": "http://169.254.169.254/latest/meta-data"}, 400, "media_url"),
    ({"media_url": "http://localhost/x.jpg"}, 400, "media_url"),
    ({"media_url": "http://2130706433/"}, 400, "media_url"),
    ({"media_url": "file:///etc/passwd"}, 400, "media_url"),
    ({"jurisdiction_id": "elsewhere.example"}, 404, "jurisdiction_id"),
    ({"description": ""}, 400, "description"),
])
def test_when_a_post_is_unsafe_or_incomplete_then_refused_naming_the_field(api_shared: Api, fields: dict[str, str],
                                                                          status: int, names: str) -> None:
    response = api_shared.client.post("/open311/v2/requests.json",
                                      data={**POST, "api_key": api_shared.api_key, **fields})
    assert response.status_code == status and response.json()[0]["description"].startswith(names)


def test_public_lists_are_capped_and_paginated(api_shared: Api) -> None:
    client = api_shared.client
    ids = ",".join(str(i) for i in range(1, 52))
    too_many = client.get(f"/open311/v2/requests.json?service_request_id={ids}")
    assert too_many.status_code == 400 and "service_request_id" in too_many.json()[0]["description"]
    assert client.get("/open311/v2/requests.json?page_size=201").status_code == 400
    assert client.get("/open311/v2/requests.json?page=0").status_code == 400
    assert client.get("/open311/v2/requests.json?jurisdiction_id=massline").status_code == 200
    assert client.get("/open311/v2/requests.json?jurisdiction_id=other").status_code == 404


def _post(api: Api, **extra: str) -> int:
    return int(api.post_request(**{**POST, **extra})["service_request_id"])


def test_when_the_requester_did_not_opt_in_then_nothing_is_published(staff: Api) -> None:
    client = staff.client
    private = _post(staff)
    public = _post(staff, **{"attribute[publish]": "yes"})
    listed = {r["service_request_id"]: r for r in client.get("/open311/v2/requests.json").json()}
    assert private not in listed and public in listed
    assert client.get(f"/open311/v2/requests.json?service_request_id={private},{public}").json()[0][
        "service_request_id"] == public
    # by id: status and dates only
    alone = client.get(f"/open311/v2/requests/{private}.json").json()[0]
    assert alone["status"] == "open" and alone["requested_datetime"]
    assert all(alone[k] is None for k in ("description", "address", "lat", "long", "media_url"))
    shown = listed[public]
    assert shown["lat"] == 28.195 and shown["long"] == 112.977  # about 100 m, never the exact point
    assert "张三" not in shown["description"] and "芙蓉路88号" not in shown["description"]
    assert "13800138000" not in shown["description"] and "<姓名>" in shown["description"]


def test_when_an_editor_publishes_then_listed_and_spam_closed_consent_is_withdrawn(staff: Api) -> None:
    with session_scope(staff.url) as session:
        create_user(session, username="editor", password=PASSWORD, role="editor")
    client = staff.client
    case = _post(staff)
    editor, handler, dispatcher = staff.login("editor"), staff.login("handler_edu"), staff.login("dispatcher")
    assert client.post(f"/api/work-orders/{case}/publish", json={"public": True, "reason": "典型案例"},
                       headers=handler).status_code in (403, 404)
    assert client.post(f"/api/work-orders/{case}/publish", json={"public": True, "reason": ""},
                       headers=editor).status_code == 422
    done = client.post(f"/api/work-orders/{case}/publish", json={"public": True, "reason": "典型案例"}, headers=editor)
    assert done.status_code == 200 and done.json()["events"][-1]["kind"] == "published"
    assert case in {r["service_request_id"] for r in client.get("/open311/v2/requests.json").json()}
    # a consenting requester's case closed as invalid (spam) leaves the public list
    spam = _post(staff, **{"attribute[publish]": "yes"})
    detail = client.get(f"/api/work-orders/{spam}", headers=dispatcher).json()
    if detail["status"] != "new":
        client.post(f"/api/work-orders/{spam}/return", json={"reason": "垃圾信息"}, headers=staff.login("admin"))
    closed = client.post(f"/api/work-orders/{spam}/close", json={"reason": "垃圾信息"}, headers=dispatcher)
    assert closed.status_code == 200, closed.text
    assert spam not in {r["service_request_id"] for r in client.get("/open311/v2/requests.json").json()}


def test_service_definition_asks_consent_default_no(api_shared: Api) -> None:
    definition = api_shared.client.get("/open311/v2/services/huanjing-baohu.json").json()
    consent = next(a for a in definition["attributes"] if a["code"] == "publish")
    assert consent["required"] is False and consent["values"][0]["key"] == "no"
    assert "不勾选则" in consent["description"] and "联系方式不公开" in consent["description"]


def test_when_logged_out_or_deactivated_then_bearer_tokens_stop_working(staff: Api) -> None:
    from massline.serve.accounts import get_user, set_active

    client = staff.client
    first, second = staff.login("analyst"), staff.login("analyst")
    assert client.get("/api/auth/me", headers=first).status_code == 200
    assert client.post("/api/auth/logout", headers=first).status_code == 204
    assert client.get("/api/auth/me", headers=first).status_code == 401
    assert client.get("/api/auth/me", headers=second).status_code == 401  # logout ends every session
    third = staff.login("dispatcher")
    with session_scope(staff.url) as session:
        set_active(session, get_user(session, "dispatcher"), False, actor="test")
    assert client.get("/api/auth/me", headers=third).status_code == 401
    assert client.get("/api/auth/me", auth=("dispatcher", PASSWORD)).status_code == 401


def _portal_submit(client: object, tick: bool) -> int:
    import re

    from fastapi.testclient import TestClient
    assert isinstance(client, TestClient)
    page = client.get("/").text
    box = re.search(r'<input type="checkbox" name="publish" value="yes"[^>]*>', page)
    assert box and "checked" not in box.group(0) and "不勾选则只有您本人和工作人员能看到" in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    form = {"csrf_token": csrf.group(1), "service_code": "huanjing-baohu", "title": "夜间施工噪音",
            "description": "工地夜间施工噪音扰民", "address_string": "A1区泉塘街道"}
    if tick:
        form["publish"] = "yes"
    return client.post("/request", data=form, follow_redirects=False).status_code


def test_portal_box_is_unticked_and_only_a_tick_publishes_and_submissions_are_limited(api_sqlite: Api) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from massline.db.models.workorders import WorkOrder
    from massline.web.app import create_app

    assert _portal_submit(api_sqlite.client, tick=False) == 303
    assert _portal_submit(api_sqlite.client, tick=True) == 303
    with session_scope(api_sqlite.url) as session:
        assert [wo.public for wo in session.scalars(select(WorkOrder).order_by(WorkOrder.id))] == [False, True]
    limited = api_sqlite.settings.model_copy(update={"form_rate_limit": 2})
    counters = DatabaseCounters(api_sqlite.url)  # what other workers counted for this address this minute
    counters.clear("rate:form:testclient")
    counters.hit("rate:form:testclient", 60)
    counters.hit("rate:form:testclient", 60)
    with TestClient(create_app(limited)) as client:
        assert _portal_submit(client, tick=False) == 429
