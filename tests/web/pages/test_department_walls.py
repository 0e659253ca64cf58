"""Department walls: a handler walks EVERY staff route (pages and REST) with another department's ids.

The routes come from the app's own route table, so a route added later without an entry in
:data:`EXPECTED` fails this test until someone decides what a foreign handler must get there.
Object routes must answer 404 (ids cannot be probed), routes the handler's role may not use at
all 403, list routes 200 without any of the foreign department's rows; never a 500.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.web.pages.pages_helpers import PASSWORD, csrf, login

from massline.core.config import Settings
from massline.db.models.message import Message
from massline.db.models.workorders import WorkOrder, WorkOrderEvent
from massline.db.session import session_scope
from massline.serve.accounts import create_user

#: Routes that are not about staff data (signing in and out, static files).
EXCLUDED = re.compile(r"^/(api/auth/|staff/login$|staff/logout$|static)")
LIST = 200  # a list: answers, but with none of the foreign department's rows
#: (method, path) → the status a handler of another department must get.
EXPECTED: dict[tuple[str, str], int] = {
    ("GET", "/staff"): 303,
    ("GET", "/staff/inbox"): LIST,
    ("GET", "/staff/messages/{message_id}"): 404,
    ("POST", "/staff/messages/{message_id}/raw"): 403,
    ("GET", "/staff/triage"): 403,
    ("POST", "/staff/triage/{message_id}"): 403,
    ("POST", "/staff/triage/cases/{work_order_id}"): 403,
    ("GET", "/staff/workorders"): LIST,
    ("GET", "/staff/workorders/{work_order_id}"): 404,
    ("POST", "/staff/workorders/{work_order_id}/quality"): 404,
    ("GET", "/staff/workorders/{work_order_id}/similar"): 404,
    ("GET", "/staff/workorders/{work_order_id}/draft"): 404,
    ("GET", "/staff/forecast"): 403,  # centre-wide demand planning: not for a handler
    ("POST", "/staff/workorders/{work_order_id}/reply"): 404,
    ("POST", "/staff/workorders/{work_order_id}/act"): 404,
    ("GET", "/staff/dashboard"): LIST,
    ("GET", "/staff/overdue"): LIST,
    ("GET", "/api/work-orders"): LIST,
    ("POST", "/api/work-orders"): 403,
    ("GET", "/api/work-orders/{work_order_id}"): 404,
    ("GET", "/api/work-orders/{work_order_id}/contact"): 404,
    ("POST", "/api/work-orders/{work_order_id}/assign"): 404,
    ("POST", "/api/work-orders/{work_order_id}/accept"): 404,
    ("POST", "/api/work-orders/{work_order_id}/return"): 404,
    ("POST", "/api/work-orders/{work_order_id}/start"): 404,
    ("POST", "/api/work-orders/{work_order_id}/transfer"): 404,
    ("POST", "/api/work-orders/{work_order_id}/cohandlers"): 404,
    ("POST", "/api/work-orders/{work_order_id}/reply"): 404,
    ("POST", "/api/work-orders/{work_order_id}/close"): 404,
    ("POST", "/api/work-orders/{work_order_id}/reopen"): 404,
    ("POST", "/api/work-orders/{work_order_id}/merge"): 404,
    ("POST", "/api/work-orders/{work_order_id}/publish"): 404,
    ("GET", "/api/metrics"): 403,  # city-wide figures: not for a handler
    ("GET", "/api/messages"): 403,  # messages across departments: handlers read cases instead
    ("GET", "/api/messages/{message_id}"): 403,
    ("GET", "/api/messages/{message_id}/raw"): 403,
    # publicize: posts are not a department's; a handler's role may not open the editor console or the API
    ("GET", "/api/posts"): 403,
    ("GET", "/api/posts/{post_id}"): 403,
    ("GET", "/api/posts/{post_id}/revisions"): 403,
    ("PATCH", "/api/posts/{post_id}"): 403,
    ("POST", "/api/posts"): 403,
    ("POST", "/api/posts/from-case/{work_order_id}"): 403,
    ("POST", "/api/posts/{post_id}/approve"): 403,
    ("POST", "/api/posts/{post_id}/archive"): 403,
    ("POST", "/api/posts/{post_id}/mask"): 403,
    ("POST", "/api/posts/{post_id}/publish"): 403,
    ("POST", "/api/posts/{post_id}/reject"): 403,
    ("POST", "/api/posts/{post_id}/submit"): 403,
    ("POST", "/api/posts/{post_id}/waive"): 403,
    ("GET", "/staff/posts"): 403,
    ("GET", "/staff/posts/audience/segments"): 403,
    ("GET", "/staff/posts/audience/segments.csv"): 403,
    ("GET", "/staff/posts/channels/webhooks"): 403,
    ("GET", "/staff/posts/moderation/comments"): 403,
    ("GET", "/staff/posts/new"): 403,
    ("GET", "/staff/posts/{post_id}"): 403,
    ("POST", "/staff/posts/channels/webhooks"): 403,
    ("POST", "/staff/posts/channels/webhooks/deliveries/{delivery_id}/resend"): 403,
    ("POST", "/staff/posts/from-case"): 403,
    ("POST", "/staff/posts/moderation/comments/{comment_id}"): 403,
    ("POST", "/staff/posts/new"): 403,
    ("POST", "/staff/posts/{post_id}/action/{action}"): 403,
    ("POST", "/staff/posts/{post_id}/attachments"): 403,
    ("POST", "/staff/posts/{post_id}/edit"): 403,
    # fact-check desk: claims are nobody's department; a handler's role does not work the desk
    ("GET", "/staff/desk"): 403,
    ("GET", "/staff/desk/claims"): 403,
    ("GET", "/staff/desk/claims/{claim_id}"): 403,
    ("GET", "/staff/desk/corrections/{correction_id}"): 403,
    ("POST", "/staff/desk/claims/{claim_id}"): 403,
    ("POST", "/staff/desk/claims/{claim_id}/corrections"): 403,
    ("POST", "/staff/desk/corrections/{correction_id}"): 403,
    ("POST", "/staff/desk/reviews/{review_id}"): 403,
    # the engine's state and dead letters: administrators only
    ("GET", "/api/admin/engine"): 403,
    ("GET", "/api/admin/task-failures"): 403,
    # guide: the dashboard is department-aware (a list), objects of another department are not found
    ("GET", "/staff/guide"): LIST,
    ("GET", "/staff/guide/issues/{issue_id}"): 404,
    ("GET", "/staff/guide/incidents/{incident_id}"): 404,
    ("POST", "/staff/guide/incidents"): 400,  # the walk's form names no alert or issue: refused, nothing opened
    ("POST", "/staff/guide/incidents/{incident_id}/act"): 400,  # "accept" is no incident step: refused
    # consultations: organisers' console, not a handler's
    ("GET", "/staff/consult"): 403,
    ("POST", "/staff/consult"): 403,
    ("POST", "/staff/consult/statement/{statement_id}"): 403,
    ("POST", "/staff/consult/{slug}/recompute"): 403,
}
#: Path parameters of routes whose objects are not a department's (posts, deliveries, …): any id.
OTHER_IDS: dict[str, Any] = {"post_id": 1, "delivery_id": 1, "comment_id": 1, "action": "approve", "claim_id": 1,
                             "correction_id": 1, "review_id": 1, "issue_id": 1, "incident_id": 1, "statement_id": 1,
                             "slug": "1"}
FOREIGN_TITLE = "A1区小区噪音扰民"  # the seed's 环境保护 case (生态环境局), not the handler's 城乡建设
OWN_TITLE = "A3区西湖路占道施工"
QUEUED_TITLE = "A4区社保转移咨询"  # a message waiting in triage, no case yet


def staff_routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) of the app under /staff and /api, minus :data:`EXCLUDED`."""
    out = set()
    for route in iter_route_contexts(app.routes):
        path = route.path or ""
        if not (path == "/staff" or path.startswith(("/staff/", "/api/"))) or EXCLUDED.match(path):
            continue
        for method in route.methods or ():
            if method != "HEAD":
                out.add((method, path))
    return sorted(out)


def _ids(url: str) -> dict[str, int]:
    with session_scope(url) as session:
        def wo(title: str) -> int:
            return int(session.scalar(select(WorkOrder.id).where(WorkOrder.title == title)))

        def msg(title: str) -> int:
            return int(session.scalar(select(Message.id).where(Message.title == title)))

        return {"foreign_wo": wo(FOREIGN_TITLE), "foreign_msg": msg(FOREIGN_TITLE), "own_wo": wo(OWN_TITLE),
                "own_msg": msg(OWN_TITLE), "queued_msg": msg(QUEUED_TITLE)}


def _fill(path: str, values: dict[str, int]) -> str:
    names = re.findall(r"{(\w+)(?::\w+)?}", path)
    unknown = [n for n in names if n not in values]
    assert not unknown, f"route {path} has path parameters {unknown} this test cannot fill: add them"
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: str(values[m.group(1)]), path)


def _event_count(url: str) -> int:
    with session_scope(url) as session:
        return int(session.scalar(select(func.count()).select_from(WorkOrderEvent)) or 0)


def test_when_a_handler_walks_every_staff_route_with_foreign_ids_then_nothing_foreign_is_answered(
    client: TestClient, seeded: Settings
) -> None:
    url = seeded.resolved_database_url()
    routes = staff_routes(client.app)
    unknown = sorted(set(routes) - set(EXPECTED))
    assert not unknown, f"new staff routes without an expectation for a foreign handler (add to EXPECTED): {unknown}"
    assert not set(EXPECTED) - set(routes), "EXPECTED names routes that no longer exist"
    ids = _ids(url)
    events_before = _event_count(url)
    token = login(client, "handler")
    bearer = {"Authorization": "Bearer " + client.post("/api/auth/token", data={
        "username": "handler", "password": PASSWORD}).json()["access_token"]}
    foreign_markers = (FOREIGN_TITLE, QUEUED_TITLE, f"/staff/workorders/{ids['foreign_wo']}\"",
                       f"/staff/messages/{ids['foreign_msg']}\"")
    # two walks: a foreign case with its message, and a foreign message that has no case yet
    for message_id in (ids["foreign_msg"], ids["queued_msg"]):
        values = {"work_order_id": ids["foreign_wo"], "message_id": message_id, **OTHER_IDS}
        for method, path in routes:
            target = _fill(path, values)
            if path.startswith("/api/"):
                body = {"department": "zjj", "reason": "x", "text": "x", "public": True, "into": ids["own_wo"],
                        "message_id": message_id, "priority": "high"}
                response = client.request(method, target, headers=bearer, params={"reason": "x"},
                                          json=body if method == "POST" else None)
            else:
                form = {"csrf_token": token, "action": "accept", "reason": "x", "department": "zjj",
                        "priority": "high", "into": str(ids["own_wo"]), "text": "x", "category": "环境保护"}
                response = client.request(method, target, data=form if method == "POST" else None,
                                          follow_redirects=False)
            expected = EXPECTED[(method, path)]
            assert response.status_code == expected, (method, target, response.status_code, response.text[:300])
            if expected == LIST:
                assert not any(m in response.text for m in foreign_markers), (method, target)
                if path == "/api/work-orders":
                    assert ids["foreign_wo"] not in [item["id"] for item in response.json()["items"]]
    assert _event_count(url) == events_before  # nothing was done to any case
    # the wall is not a blanket refusal: the handler's own case and message open
    assert client.get(f"/staff/workorders/{ids['own_wo']}").status_code == 200
    assert client.get(f"/staff/messages/{ids['own_msg']}").status_code == 200
    assert "共 1 条" in client.get("/staff/inbox").text  # only the message of its department's case


def test_when_a_department_co_handles_a_case_then_its_handler_sees_it_in_every_list(
    client: TestClient, seeded: Settings
) -> None:
    url = seeded.resolved_database_url()
    ids = _ids(url)
    token = login(client, "dispatcher")
    added = client.post(f"/staff/workorders/{ids['foreign_wo']}/act", data={
        "csrf_token": token, "action": "add_cohandler", "department": "zjj", "reason": "涉及道路"},
        follow_redirects=False)
    assert added.status_code == 303, added.text[:500]
    client.post("/staff/logout", data={"csrf_token": token})
    login(client, "handler")
    assert FOREIGN_TITLE in client.get("/staff/workorders").text
    assert FOREIGN_TITLE in client.get("/staff/inbox").text
    page = client.get(f"/staff/workorders/{ids['foreign_wo']}")
    assert page.status_code == 200 and "住房和城乡建设局" in page.text
    assert 'data-form="accept"' not in page.text  # a co-handler views, the lead acts
    assert client.get(f"/staff/messages/{ids['foreign_msg']}").status_code == 200
    bearer = {"Authorization": "Bearer " + client.post("/api/auth/token", data={
        "username": "handler", "password": PASSWORD}).json()["access_token"]}
    listed = client.get("/api/work-orders", headers=bearer).json()
    assert ids["foreign_wo"] in [item["id"] for item in listed["items"]]
    # and a handler of a third department still sees nothing of it
    with session_scope(url) as session:
        create_user(session, username="handler_edu", password=PASSWORD, role="handler", department_code="jyj")
    client.post("/staff/logout", data={"csrf_token": csrf(client, "/staff/inbox")})
    login(client, "handler_edu")
    assert FOREIGN_TITLE not in client.get("/staff/workorders").text
    assert client.get(f"/staff/messages/{ids['foreign_msg']}").status_code == 404
