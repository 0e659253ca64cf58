"""Checks shared by the durable-first intake tests: every accepted request routed exactly once, nothing orphaned."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from massline.core.config import Settings
from massline.db.models.engine import EngineTask
from massline.db.models.intake import RawItem, Source
from massline.db.models.message import Message
from massline.db.models.workorders import WorkOrder, WorkOrderEvent
from massline.db.session import session_scope
from massline.serve.accounts import create_api_key
from massline.serve.departments import seed_departments
from massline.serve.requests import use_analyze_configs
from massline.web.app import create_app

#: A request the tiny engine-test model (tests/engine/conftest.py) puts in 环境保护 with confidence.
NOISE = {"service_code": "huanjing-baohu", "address_string": "A2区泉塘街道", "attribute[title]": "噪音问题"}
#: Events that end a request's routing: assigned by the routing task, or left to the dispatcher.
ROUTING_EVENTS = ("assigned", "routed")


def api_key(url: str) -> str:
    with session_scope(url) as session:
        seed_departments(session)
        _, key = create_api_key(session, "intake test")
    return key


@contextmanager
def intake_client(settings: Settings) -> Iterator[tuple[TestClient, str]]:
    """The real app on ``settings`` and an Open311 API key. The component overrides a test gave the
    app (registered for the database by its first request) go with it: the next test's tasks on the
    same database must not analyse with them."""
    key = api_key(settings.resolved_database_url())
    try:
        with TestClient(create_app(settings)) as client:
            yield client, key
    finally:
        use_analyze_configs(settings.resolved_database_url(), None)


def post(client: TestClient, key: str, i: int) -> dict[str, object]:
    text = f"A2区第{i}号：这里的噪音问题很严重，噪音扰民。"
    response = client.post("/open311/v2/requests.json", data={**NOISE, "api_key": key, "description": text})
    assert response.status_code == 200, response.text
    return dict(response.json()[0])


def assert_routed_once(url: str, accepted: Iterable[int]) -> dict[int, WorkOrder]:
    """Every accepted request: stored, no longer pending, one ``created`` event and exactly one routing
    event, one case for its message, its routing task done. Nothing orphaned: every Open311 raw item
    has its message, every such message its case, every case its routing task. The cases by id."""
    accepted = set(accepted)
    with session_scope(url) as session:
        orders = {wo.id: wo for wo in session.scalars(select(WorkOrder).where(WorkOrder.source == "open311"))}
        assert accepted <= set(orders), f"accepted but not stored: {sorted(accepted - set(orders))}"
        assert [wo.id for wo in orders.values() if wo.routing_pending] == []
        kinds: dict[tuple[int, str], int] = {
            (wid, kind): int(n) for wid, kind, n in session.execute(
                select(WorkOrderEvent.work_order_id, WorkOrderEvent.kind, func.count())
                .group_by(WorkOrderEvent.work_order_id, WorkOrderEvent.kind))}
        for wid in orders:
            assert kinds.get((wid, "created")) == 1, wid
            assert sum(kinds.get((wid, k), 0) for k in ROUTING_EVENTS) == 1, (wid, kinds)
        per_message = dict(session.execute(select(WorkOrder.message_id, func.count())
                                           .group_by(WorkOrder.message_id)).all())
        assert all(n == 1 for n in per_message.values())
        source_ids = list(session.scalars(select(Source.id).where(Source.name == "open311")))
        raws = set(session.scalars(select(RawItem.id).where(RawItem.source_id.in_(source_ids))))
        messages = dict(session.execute(select(Message.id, Message.raw_item_id)
                                        .where(Message.source_id.in_(source_ids))).all())
        assert raws == set(messages.values()), "raw items without their message (or the reverse)"
        assert set(messages) == {wo.message_id for wo in orders.values()}, "messages without their case"
        tasks = session.execute(select(EngineTask.args, EngineTask.state).where(EngineTask.name == "route_request"))
        routed = {int(i): state for args, state in tasks for i in args["work_order_ids"]}
        assert routed == dict.fromkeys(orders, "done"), "cases without a finished routing task"
        session.expunge_all()
    return orders
