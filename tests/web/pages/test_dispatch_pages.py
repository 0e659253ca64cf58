"""Dispatch from the console without a browser: which actions each role is offered, field errors,
category disagreements in the triage queue, and the overdue list (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.pages.pages_helpers import login

from massline.core.config import Settings
from massline.db.models.message import Message
from massline.db.models.users import Department
from massline.db.models.workorders import WorkOrder, WorkOrderEvent
from massline.db.session import session_scope
from massline.serve.cases import open_work_order
from massline.serve.sla import SLA_STATE_LABELS
from massline.web.pages import dispatch
from massline.web.pages.rendering import translations

OWN_TITLE = "A3区西湖路占道施工"  # 城乡建设 → 住房和城乡建设局, the seeded handler's department
OPEN_FOREIGN = "A2区公交线路调整建议"  # 交通运输, never answered: overdue


def _wo(url: str, title: str) -> int:
    with session_scope(url) as session:
        return int(session.scalar(select(WorkOrder.id).where(WorkOrder.title == title)))


def _forms(html: str) -> set[str]:
    return set(re.findall(r'data-form="(\w+)"', html))


def test_when_each_role_opens_an_assigned_case_then_only_allowed_actions_are_offered(
    client: TestClient, seeded: Settings
) -> None:
    url = seeded.resolved_database_url()
    with session_scope(url) as session:
        wo = open_work_order(session, category="城乡建设", title="待签收的工单", description="小区路面塌陷。",
                             department_code="zjj")
        wo_id = wo.id
    login(client, "handler")
    assert _forms(client.get(f"/staff/workorders/{wo_id}").text) == {"accept", "return", "transfer",
                                                                     "add_cohandler"}
    client.cookies.clear()
    login(client, "dispatcher")
    assert _forms(client.get(f"/staff/workorders/{wo_id}").text) == {"return", "transfer", "add_cohandler",
                                                                     "set_priority", "merge"}
    client.cookies.clear()
    login(client, "analyst")
    assert _forms(client.get(f"/staff/workorders/{wo_id}").text) == set()


def test_when_a_required_field_is_missing_then_the_error_is_shown_next_to_it(client: TestClient, seeded) -> None:
    url = seeded.resolved_database_url()
    wo_id = _wo(url, OWN_TITLE)
    token = login(client, "dispatcher")
    with session_scope(url) as session:
        before = len(list(session.scalars(select(WorkOrderEvent.id).where(WorkOrderEvent.work_order_id == wo_id))))
    reopen = client.post(f"/staff/workorders/{wo_id}/act", data={"csrf_token": token, "action": "reopen"})
    assert reopen.status_code == 422
    assert re.search(r'id="reopen-reason"[^>]*aria-invalid="true"', reopen.text)
    assert 'id="err-reopen-reason"' in reopen.text and "请填写理由" in reopen.text
    merge = client.post(f"/staff/workorders/{_wo(url, OPEN_FOREIGN)}/act",
                        data={"csrf_token": token, "action": "merge", "into": "abc"})
    assert merge.status_code == 422 and 'id="err-merge-into"' in merge.text
    english = client.post(f"/staff/workorders/{wo_id}/act?lang=en", data={"csrf_token": token, "action": "reopen"})
    assert "Please give a reason" in english.text
    with session_scope(url) as session:  # nothing happened
        after = len(list(session.scalars(select(WorkOrderEvent.id).where(WorkOrderEvent.work_order_id == wo_id))))
    assert after == before


def test_when_a_portal_case_disagrees_with_the_classifier_then_triage_offers_one_click_decisions(
    client: TestClient, seeded: Settings
) -> None:
    url = seeded.resolved_database_url()
    with session_scope(url) as session:  # the citizen chose 城乡建设; the classifier says 劳动和社会保障
        message_id = int(session.scalar(select(Message.id).where(Message.title == "A4区社保转移咨询")))
        wo_id = open_work_order(session, message_id=message_id, category="城乡建设", source="web").id
    token = login(client, "dispatcher")
    page = client.get("/staff/triage").text
    row = page[page.index(f'id="triage-{message_id}"'):]
    row = row[:row.index("</tr>")]
    assert 'data-kind="disagreement"' in row and "城乡建设" in row and "劳动和社会保障" in row
    assert page.count(f'id="triage-{message_id}"') == 1  # listed once, not again as a low-confidence message
    done = client.post(f"/staff/triage/{message_id}", data={"csrf_token": token, "category": "劳动和社会保障"},
                       headers={"HX-Request": "true"})
    assert done.status_code == 200 and "已分拨" in done.text
    with session_scope(url) as session:
        wo = session.get(WorkOrder, wo_id)
        assert wo is not None and wo.status == "assigned" and wo.category == "劳动和社会保障"
        lead = session.get(Department, wo.lead_department_id)
        assert lead is not None and lead.code == "rsj"
        kinds = list(session.scalars(select(WorkOrderEvent.kind).where(WorkOrderEvent.work_order_id == wo_id)))
        assert kinds[-2:] == ["categorised", "assigned"]
    assert f'id="triage-{message_id}"' not in client.get("/staff/triage").text


def test_when_cases_are_overdue_then_the_deadline_list_shows_them_within_the_users_walls(
    client: TestClient, seeded: Settings
) -> None:
    login(client, "dispatcher")
    page = client.get("/staff/overdue")
    assert page.status_code == 200
    assert OPEN_FOREIGN in page.text and OWN_TITLE in page.text and "已超时" in page.text
    assert "A市人民政府" in page.text  # where an overdue department's case escalates to
    client.cookies.clear()
    login(client, "handler")
    mine = client.get("/staff/overdue").text
    assert OWN_TITLE in mine and OPEN_FOREIGN not in mine
    client.cookies.clear()
    login(client, "analyst")
    assert client.get("/staff/overdue").status_code == 403


def test_when_dispatch_texts_are_shown_then_each_has_an_english_translation() -> None:
    english = translations("en")
    texts = {*dispatch.ACTION_LABELS.values(), *dispatch.PRIORITY_NAMES.values(), *SLA_STATE_LABELS.values(),
             *dispatch.EVENT_NAMES.values(), *dispatch.QUEUE_KINDS.values(), *dispatch.ERROR_TEXTS.values()}
    missing = sorted(t for t in texts if english.gettext(t) == t)
    assert not missing, missing
