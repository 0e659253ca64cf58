"""Staff REST API: authentication, per-role and per-department permissions, actions, metrics, messages.

A handler of department A must not see (404) or act on (403/404) department B's case; tokens
are signed with the installation secret; passwords never appear in a response or the audit log.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from massline.db.models.audit import AuditEvent
from massline.db.models.intake import Source
from massline.db.models.message import Message
from massline.db.models.workorders import WorkOrder
from massline.db.session import session_scope
from massline.serve import lifecycle
from massline.serve.queries import get_work_order

if TYPE_CHECKING:
    from tests.web.api.conftest import Api

PASSWORD = "correct-horse-battery"


def assigned_case(api: Api, department: str = "sthjj", **fields: str) -> int:
    """An Open311 request dispatched to ``department`` (routing without a trained model queues it)."""
    wo_id = int(str(api.post_request(**fields)["service_request_id"]))
    with session_scope(api.url) as session:
        wo = get_work_order(session, wo_id)
        if wo.status == "new":
            lifecycle.assign(session, wo, department_code=department, actor="dispatcher")
        elif wo.lead_department_id is not None and department != "sthjj":
            lifecycle.transfer(session, wo, department_code=department, actor="dispatcher", reason="test")
    return wo_id


def test_when_logging_in_then_a_bearer_token_works_and_bad_credentials_get_401(staff: Api) -> None:
    client = staff.client
    bad = client.post("/api/auth/token", data={"username": "admin", "password": "wrong-password"})
    assert bad.status_code == 401
    headers = staff.login("handler_env")
    me = client.get("/api/auth/me", headers=headers)
    assert me.status_code == 200 and me.json()["role"] == "handler" and me.json()["department"] == "sthjj"
    assert client.get("/api/auth/me").status_code == 401
    assert client.get("/api/auth/me", headers={"Authorization": "Bearer forged.token.value"}).status_code == 401
    basic = base64.b64encode(f"analyst:{PASSWORD}".encode()).decode()
    assert client.get("/api/auth/me", headers={"Authorization": f"Basic {basic}"}).json()["username"] == "analyst"
    with session_scope(staff.url) as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("auth.%"))).all()
        details = " ".join(str(e.detail) + str(e.reason) for e in session.scalars(select(AuditEvent)))
    assert "auth.login" in actions and "auth.login_failed" in actions
    assert PASSWORD not in details and "wrong-password" not in details


def test_when_reading_users_and_cases_then_no_password_or_token_is_ever_returned(staff: Api) -> None:
    wo_id = assigned_case(staff)
    headers = staff.login("admin")
    with session_scope(staff.url) as session:
        wo = session.get(WorkOrder, wo_id)
        assert wo is not None
        token = wo.token
    for path in ("/api/auth/me", "/api/work-orders", f"/api/work-orders/{wo_id}", "/api/messages"):
        body = staff.client.get(path, headers=headers).text
        assert PASSWORD not in body and "argon2" not in body and "password" not in body and token not in body


def test_when_a_handler_asks_for_another_departments_case_then_404_and_403(staff: Api) -> None:
    env_case = assigned_case(staff, "sthjj")
    edu_case = assigned_case(staff, "jyj", service_code="jiaoyu-wenti")
    env = staff.login("handler_env")
    listed = staff.client.get("/api/work-orders", headers=env).json()
    assert [item["id"] for item in listed["items"]] == [env_case] and listed["total"] == 1
    assert staff.client.get(f"/api/work-orders/{edu_case}", headers=env).status_code == 404
    assert staff.client.post(f"/api/work-orders/{edu_case}/accept", headers=env).status_code == 404
    # co-handler: sees the case, may not act as the lead
    admin = staff.login("admin")
    added = staff.client.post(f"/api/work-orders/{edu_case}/cohandlers", headers=admin,
                              json={"department": "sthjj", "reason": "涉及环境"})
    assert added.status_code == 200 and added.json()["cohandlers"] == ["sthjj"]
    assert staff.client.get(f"/api/work-orders/{edu_case}", headers=env).status_code == 200
    assert staff.client.post(f"/api/work-orders/{edu_case}/accept", headers=env).status_code == 403
    # an analyst reads, never acts; a handler gets no metrics
    analyst = staff.login("analyst")
    assert staff.client.get(f"/api/work-orders/{env_case}", headers=analyst).status_code == 200
    assert staff.client.post(f"/api/work-orders/{env_case}/accept", headers=analyst).status_code == 403
    assert staff.client.get("/api/metrics", headers=env).status_code == 403
    assert staff.client.get("/api/messages", headers=env).status_code == 403


def test_when_a_case_is_walked_through_the_api_then_every_step_is_an_event_and_metrics_follow(staff: Api) -> None:
    case = assigned_case(staff, "sthjj", phone="13812345678")
    env, edu, admin = staff.login("handler_env"), staff.login("handler_edu"), staff.login("admin")
    post = staff.client.post

    def act(headers: dict[str, str], action: str, status: int = 200, **body: object) -> dict[str, Any]:
        response = post(f"/api/work-orders/{case}/{action}", headers=headers, json=body or None)
        assert response.status_code == status, response.text
        return dict(response.json())

    assert act(env, "accept")["status"] == "accepted"
    assert "transfer" in act(env, "start")["allowed_actions"]
    assert act(env, "transfer", department="jyj", reason="属教育局职责")["lead_department"] == "jyj"
    act(env, "start", status=404)  # no longer visible to the former lead
    act(edu, "accept")
    assert "allowed" in str(act(edu, "close", status=409, reason="x")["detail"])  # state machine says no
    act(edu, "return", status=422)  # a reason is required
    act(edu, "start")
    detail = act(edu, "reply", text="已安排执法人员现场检查，联系电话 13900001111。", public=True)
    assert detail["status"] == "replied" and detail["replies"]
    assert act(admin, "close")["status"] == "closed"
    reopened = act(admin, "reopen", reason="市民不满意")
    assert reopened["status"] == "reopened" and reopened["reopen_count"] == 1
    kinds = [e["kind"] for e in staff.client.get(f"/api/work-orders/{case}", headers=admin).json()["events"]]
    assert kinds[:2] == ["created", "assigned"]
    for kind in ("accepted", "started", "transferred", "replied", "closed", "reopened"):
        assert kind in kinds
    metrics = staff.client.get("/api/metrics?by=category", headers=admin)
    assert metrics.status_code == 200, metrics.text
    rows = {r["group"]: r for r in metrics.json()["rows"]}
    assert rows["环境保护"]["received"] == 1 and rows["全部"]["received"] == 1
    assert rows["环境保护"]["responded"] == 1
    overdue = staff.client.get("/api/work-orders?overdue=true", headers=admin).json()
    assert overdue["total"] == 0


def test_when_merging_and_filtering_then_the_duplicate_points_to_the_case(staff: Api) -> None:
    first, second = assigned_case(staff), assigned_case(staff, **{"attribute[publish]": "yes"})
    admin = staff.login("dispatcher")
    merged = staff.client.post(f"/api/work-orders/{second}/merge", headers=admin, json={"into": first})
    assert merged.status_code == 200 and merged.json()["merged_into_id"] == first
    listed = staff.client.get("/api/work-orders?status=closed&department=sthjj", headers=admin).json()
    assert [i["id"] for i in listed["items"]] == [second]
    assert staff.client.get("/api/work-orders?category=教育文体", headers=admin).json()["total"] == 0
    env = staff.login("handler_env")
    staff.client.post(f"/api/work-orders/{first}/accept", headers=env)
    staff.client.post(f"/api/work-orders/{first}/reply", headers=env, json={"text": "已处理。"})
    duplicate = staff.client.get(f"/open311/v2/requests/{second}.json").json()[0]
    assert duplicate["status"] == "closed" and duplicate["status_notes"] == f"与第 {first} 号诉求合并办理：已处理。"


def test_when_reading_messages_then_text_is_masked_and_raw_needs_an_admin_and_a_reason(staff: Api) -> None:
    assigned_case(staff, description="我的电话是13812345678，请尽快处理")
    dispatcher, admin = staff.login("dispatcher"), staff.login("admin")
    page = staff.client.get("/api/messages?source=open311", headers=dispatcher).json()
    assert page["total"] == 1 and "13812345678" not in page["items"][0]["body"]
    message_id = page["items"][0]["id"]
    assert staff.client.get(f"/api/messages/{message_id}/raw?reason=回访", headers=dispatcher).status_code == 403
    raw = staff.client.get(f"/api/messages/{message_id}/raw?reason=回访核实", headers=admin)
    assert raw.status_code == 200 and "13812345678" in raw.json()["original"]
    with session_scope(staff.url) as session:
        views = session.scalars(select(AuditEvent).where(AuditEvent.action == "pii.raw_view")).all()
        assert [v.actor for v in views] == ["admin"] and "13812345678" not in str(views[0].detail)


def test_when_a_dispatcher_opens_a_case_then_it_is_queued_or_assigned_and_handlers_cannot(staff: Api) -> None:
    with session_scope(staff.url) as session:
        source = Source(name="hotline", kind="form")
        session.add(source)
        session.flush()
        message = Message(source_id=source.id, body="学校门口乱停车", original="学校门口乱停车")
        session.add(message)
        session.flush()
        message_id = message.id
    dispatcher, env = staff.login("dispatcher"), staff.login("handler_env")
    assert staff.client.post("/api/work-orders", headers=env, json={"message_id": message_id}).status_code == 403
    missing = staff.client.post("/api/work-orders", headers=dispatcher, json={"message_id": 999999})
    assert missing.status_code == 404
    bad = staff.client.post("/api/work-orders", headers=dispatcher, json={"message_id": message_id, "priority": "x"})
    assert bad.status_code == 422 and bad.json()["field"] == "priority"
    created = staff.client.post("/api/work-orders", headers=dispatcher,
                                json={"message_id": message_id, "department": "jtysj", "reason": "交通"})
    assert created.status_code == 201 and created.json()["status"] == "assigned"
    assert created.json()["source"] == "staff" and created.json()["lead_department"] == "jtysj"
    again = staff.client.post("/api/work-orders", headers=dispatcher, json={"message_id": message_id})
    assert again.json()["id"] == created.json()["id"]


def test_when_staff_read_a_requesters_contact_then_it_is_scoped_and_audited(staff: Api) -> None:
    case = assigned_case(staff, "sthjj", phone="13812345678", email="wang@example.cn")
    env, edu, analyst = staff.login("handler_env"), staff.login("handler_edu"), staff.login("analyst")
    path = f"/api/work-orders/{case}/contact?reason=回访"
    got = staff.client.get(path, headers=env)
    assert got.status_code == 200 and got.json()["phone"] == "13812345678"
    assert staff.client.get(path, headers=edu).status_code == 404
    assert staff.client.get(path, headers=analyst).status_code == 403
    assert staff.client.get(f"/api/work-orders/{case}/contact", headers=env).status_code == 422  # reason needed
    with session_scope(staff.url) as session:
        views = session.scalars(select(AuditEvent).where(AuditEvent.action == "pii.raw_view")).all()
        assert [(v.actor, v.reason) for v in views] == [("handler_env", "回访")]
