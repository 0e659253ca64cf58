"""One request's whole life through the HTTP APIs, on SQLite and PostgreSQL.

POST via Open311 → automatic routing → accept → transfer → co-handling → public reply →
unsatisfied rating → reopen → reply → satisfied rating → close; then every event, the Open311
view of the case and the metrics are checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from massline.db.models.workorders import WorkOrder
from massline.db.session import session_scope
from massline.serve import lifecycle

if TYPE_CHECKING:
    from tests.web.api.conftest import Api


def rate(api: Api, case: int, value: str) -> None:
    """The requester rates through their token link (the public page calls the same function)."""
    with session_scope(api.url) as session:
        wo = session.get(WorkOrder, case)
        assert wo is not None
        lifecycle.rate(session, wo.token, value, "评价")


def test_when_a_request_lives_its_whole_life_then_events_open311_and_metrics_agree(staff: Api) -> None:
    created = staff.post_request(description="工地夜间施工噪音扰民，我的电话13812345678", phone="13812345678",
                                 **{"attribute[publish]": "yes"})
    case = int(str(created["service_request_id"]))
    env, edu, dispatcher = staff.login("handler_env"), staff.login("handler_edu"), staff.login("dispatcher")

    def act(headers: dict[str, str], action: str, **body: object) -> dict[str, Any]:
        response = staff.client.post(f"/api/work-orders/{case}/{action}", headers=headers, json=body or None)
        assert response.status_code == 200, f"{action}: {response.text}"
        return dict(response.json())

    first = staff.client.get(f"/api/work-orders/{case}", headers=dispatcher).json()
    assert first["status"] == "assigned" and first["lead_department"] == "sthjj"  # routed automatically
    assert first["route_confidence"] == 0.95
    act(env, "accept")
    act(env, "transfer", department="jyj", reason="噪音来自学校施工，属教育局")
    act(edu, "accept")
    assert act(edu, "cohandlers", department="sthjj", reason="需环保部门监测")["cohandlers"] == ["sthjj"]
    act(edu, "start")
    act(edu, "reply", text="已责令施工方夜间停工。如有疑问请致电 13900001111。", public=True)
    rate(staff, case, "不满意")
    act(dispatcher, "reopen", reason="市民不满意：仍有夜间施工")
    act(edu, "reply", text="已现场复查并处罚施工方，夜间施工已停止。", public=True)
    rate(staff, case, "满意")
    final = act(edu, "close")
    assert final["status"] == "closed" and final["rating"] == "满意" and final["reopen_count"] == 1

    kinds = [e["kind"] for e in final["events"]]
    assert kinds == ["created", "assigned", "accepted", "transferred", "accepted", "cohandler_added", "started",
                     "replied", "rated", "reopened", "replied", "rated", "closed"]
    # received by the API key's client, assigned by the routing task that ran after the commit
    assert [e["actor"] for e in final["events"]][:3] == ["api_key:1", "system:routing", "handler_env"]

    view = staff.client.get(f"/open311/v2/requests/{case}.json").json()[0]
    assert view["status"] == "closed" and view["agency_responsible"] == "教育局"
    assert view["status_notes"] == "已现场复查并处罚施工方，夜间施工已停止。"
    assert "13812345678" not in staff.client.get(f"/open311/v2/requests/{case}.xml").text

    rows = {r["group"]: r for r in staff.client.get("/api/metrics?by=department", headers=dispatcher).json()["rows"]}
    assert rows["jyj"]["received"] == 1 and rows["jyj"]["resolved"] == 1
    assert rows["jyj"]["rated"] == 1 and rows["jyj"]["satisfaction_rate"] == 1.0
    assert rows["全部"]["response_rate"] == 1.0
