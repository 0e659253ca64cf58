"""Durable-first intake without a broker: the request is committed and readable before it is routed.

The embedded pool gets one thread, kept busy by a ``sleep`` task, so the routing task of a request
posted meanwhile waits behind it — what a busy worker does — and the test can look at the stored,
not yet routed request (SQLite and PostgreSQL, no mocks).
"""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.engine.intake_checks import assert_routed_once, intake_client, post

from massline.core.config import Settings
from massline.db.models.engine import EngineTask
from massline.db.models.workorders import WorkOrder, WorkOrderEvent
from massline.db.session import session_scope
from massline.engine import submit, wait
from massline.engine.tasks import route_request
from massline.serve import accounts
from massline.serve.accounts import create_user

PASSWORD = "correct-horse-battery"
PENDING = "已受理，正在分派"


@pytest.fixture
def background(engine_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Routing on the embedded pool (one thread), a dispatcher and a 生态环境局 handler."""
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with session_scope(engine_settings.resolved_database_url()) as session:
        create_user(session, username="dispatcher", password=PASSWORD, role="dispatcher")
        create_user(session, username="handler_env", password=PASSWORD, role="handler", department_code="sthjj")
    return engine_settings.model_copy(update={"intake_routing": "background", "engine_threads": 1})


def _login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _routing_task(settings: Settings, work_order_id: int) -> str:
    with session_scope(settings.resolved_database_url()) as session:
        for task_id, args in session.execute(select(EngineTask.id, EngineTask.args)
                                             .where(EngineTask.name == "route_request")):
            if args["work_order_ids"] == [work_order_id]:
                return str(task_id)
    raise AssertionError(f"no routing task for work order {work_order_id}")


def test_when_the_workers_are_busy_then_the_request_reads_back_as_received_being_routed(background: Settings) -> None:
    with intake_client(background) as (client, key):
        busy = submit(background, "sleep", {"seconds": 4.0})  # the pool's only thread
        created = post(client, key, 1)
        rid = int(str(created["service_request_id"]))
        assert "正在分派" in str(created["service_notice"])

        seen = client.get(f"/open311/v2/requests/{rid}.json").json()[0]
        assert (seen["status"], seen["status_notes"], seen["agency_responsible"]) == ("open", PENDING, None)
        assert seen["expected_datetime"]  # the SLA clock started at receipt
        with session_scope(background.resolved_database_url()) as session:
            wo = session.get(WorkOrder, rid)
            assert wo is not None and wo.routing_pending and wo.lead_department_id is None and wo.status == "new"
            received, due = wo.created_at, wo.due_close_at
        dispatcher, handler = _login(client, "dispatcher"), _login(client, "handler_env")
        staff_view = client.get(f"/api/work-orders/{rid}", headers=dispatcher).json()
        assert staff_view["routing_pending"] is True and staff_view["lead_department"] is None
        assert client.get(f"/api/work-orders/{rid}", headers=handler).status_code == 404  # no department's yet
        token = client.get(f"/open311/v2/tokens/{wo.token}.json").json()[0]["token"]
        assert PENDING in client.get(f"/track/{token}").text
        assert "Received, being routed" in client.get(f"/track/{token}", headers={"Accept-Language": "en"}).text

        task_id = _routing_task(background, rid)
        assert wait(background, [busy, task_id], timeout=60)["done"] == 2
        routed = client.get(f"/open311/v2/requests/{rid}.json").json()[0]
        assert routed["status"] == "open" and routed["status_notes"] == "已分派至承办单位"
        assert routed["agency_responsible"] == "生态环境局"
        assert client.get(f"/api/work-orders/{rid}", headers=handler).status_code == 200
        assert route_request(background, [rid])["routed"] == 0  # a second delivery does nothing
    orders = assert_routed_once(background.resolved_database_url(), [rid])
    assert orders[rid].created_at == received and orders[rid].due_close_at == due  # deadlines kept from receipt


def test_when_a_dispatcher_decides_before_the_routing_task_then_the_decision_stands(background: Settings) -> None:
    with intake_client(background) as (client, key):
        busy = submit(background, "sleep", {"seconds": 4.0})
        rid = int(str(post(client, key, 2)["service_request_id"]))
        dispatcher = _login(client, "dispatcher")
        response = client.post(f"/api/work-orders/{rid}/assign", headers=dispatcher,
                               json={"department": "jyj", "reason": "学校施工噪音，教育局牵头"})
        assert response.status_code == 200, response.text
        assert wait(background, [busy, _routing_task(background, rid)], timeout=60)["done"] == 2
    with session_scope(background.resolved_database_url()) as session:
        kinds = list(session.scalars(select(WorkOrderEvent.kind).where(WorkOrderEvent.work_order_id == rid)
                                     .order_by(WorkOrderEvent.id)))
        wo = session.get(WorkOrder, rid)
        assert wo is not None and not wo.routing_pending and wo.route_reason
        assert kinds == ["created", "assigned", "routed"]  # the router recorded its view, the dispatcher's lead stays
        assert wo.status == "assigned" and wo.lead_department_id is not None
        from massline.db.models.users import Department

        assert session.get(Department, wo.lead_department_id).code == "jyj"  # type: ignore[union-attr]


def test_when_routing_runs_inline_then_the_request_is_routed_when_the_answer_arrives(
        engine_settings: Settings) -> None:
    with intake_client(engine_settings) as (client, key):  # the default without a broker
        created = post(client, key, 3)
        rid = int(str(created["service_request_id"]))
        assert "已分派至承办单位" in str(created["service_notice"])  # the answer says where it went
        seen = client.get(f"/open311/v2/requests/{rid}.json").json()[0]
        assert seen["agency_responsible"] == "生态环境局" and seen["status_notes"] == "已分派至承办单位"
    assert_routed_once(engine_settings.resolved_database_url(), [rid])


class BrokenModel:
    """A classifier that fails on every text (a bug in an analysis step)."""

    version = "broken-1"
    classes = ("环境保护",)

    def predict(self, texts: object) -> object:
        raise ValueError("this model is broken")

    predict_proba = predict


def test_when_an_analysis_step_fails_then_the_request_goes_to_the_dispatcher(engine_settings: Settings) -> None:
    with intake_client(engine_settings) as (client, key):
        client.app.state.analyze_configs = {"analyze.category": {"model": BrokenModel()}}  # type: ignore[attr-defined]
        rid = int(str(post(client, key, 4)["service_request_id"]))
        seen = client.get(f"/open311/v2/requests/{rid}.json").json()[0]
        assert seen["status_notes"] == "已受理，等待分派" and seen["agency_responsible"] is None
    orders = assert_routed_once(engine_settings.resolved_database_url(), [rid])
    assert "没有分类结果" in str(orders[rid].route_reason)  # as before durable-first intake: never stuck


def test_when_requests_wait_then_one_routing_task_routes_them_in_a_batch(background: Settings) -> None:
    """PostgreSQL: the first routing task to run takes the other waiting requests along (SKIP LOCKED)
    and marks their tasks done; every request is still routed exactly once. SQLite: each its own."""
    with intake_client(background) as (client, key):
        busy = submit(background, "sleep", {"seconds": 4.0})
        rids = [int(str(post(client, key, 10 + i)["service_request_id"])) for i in range(4)]
        done = route_request(background, [rids[0]])
        postgres = background.resolved_database_url().startswith("postgresql")
        assert (done["routed"], done["gathered"]) == (1, 3 if postgres else 0)
        tasks = [_routing_task(background, rid) for rid in rids]
        with session_scope(background.resolved_database_url()) as session:
            states = {row.id: (row.state, row.result) for row in session.scalars(
                select(EngineTask).where(EngineTask.id.in_(tasks)))}
        if postgres:
            assert all(states[t] == ("done", {"routed_with": [rids[0]]}) for t in tasks[1:])
        assert wait(background, [busy, *tasks], timeout=60)["done"] == 5
    assert_routed_once(background.resolved_database_url(), rids)
