"""Every dispatch action of the case page, clicked in chromium, checked on the page and in the history.

One walk through a case's life (assign → return → triage one-click → accept → co-handle →
priority → start → reply → close → reopen → transfer) plus a merge of its duplicate, with three
people in their own browsers: the dispatcher, the handler of 住房和城乡建设局, and the handler of
the co-handling 生态环境局.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from tests.browser.helpers import PASSWORD, log_in

from massline.db.models.users import User
from massline.db.models.workorders import WorkOrder, WorkOrderEvent
from massline.db.session import session_scope
from massline.serve.accounts import create_user
from massline.serve.cases import open_work_order

pytestmark = pytest.mark.browser

TITLE = "浏览器测试：B1路段路灯不亮"


def _setup(url: str) -> tuple[int, int]:
    """Two queued cases (the second a duplicate of the first) and a handler of 生态环境局."""
    with session_scope(url) as session:
        if session.scalar(select(User.id).where(User.username == "handler_env")) is None:
            create_user(session, username="handler_env", password=PASSWORD, role="handler", department_code="sthjj",
                        display_name="承办人（生态环境）")
        first = open_work_order(session, category="城乡建设", title=TITLE, source="staff",
                                description="B1路段路灯连续一周不亮，夜间行人出行不便。")
        second = open_work_order(session, category="城乡建设", title=TITLE + "（重复）", source="staff",
                                 description="B1路段的路灯坏了好几天了。")
        return first.id, second.id


def _case(url: str, wo_id: int) -> tuple[WorkOrder, list[WorkOrderEvent]]:
    with session_scope(url) as session:
        wo = session.get(WorkOrder, wo_id)
        assert wo is not None
        events = list(session.scalars(select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == wo_id)
                                      .order_by(WorkOrderEvent.id)))
        session.expunge_all()
        return wo, events


def _act(page, action: str, *, department: str | None = None, priority: str | None = None,
         reason: str | None = None, into: str | None = None) -> None:
    form = page.locator(f'form[data-form="{action}"]')
    if department is not None:
        form.get_by_label("部门").select_option(label=department)
    if priority is not None:
        form.get_by_label("优先级").select_option(label=priority)
    if into is not None:
        form.get_by_label("并入工单编号").fill(into)
    if reason is not None:
        form.locator("input[name=reason]").fill(reason)
    form.get_by_role("button").click()
    page.wait_for_load_state()


def test_when_a_case_is_dispatched_through_every_action_then_pages_and_history_agree(
    page, second_page, third_page, live_db: str
) -> None:
    from playwright.sync_api import expect

    wo_id, dup_id = _setup(live_db)
    case_url = f"/staff/workorders/{wo_id}"
    status = page.locator("#wo-status")

    # assign: the dispatcher picks the department by its name
    log_in(page, "dispatcher")
    page.goto(case_url)
    _act(page, "assign", department="住房和城乡建设局")
    expect(status).to_contain_text("已派单")
    expect(page.locator("#wo-lead")).to_contain_text("住房和城乡建设局")

    # return (退单): the handler must give a reason; it shows in the dispatcher's triage queue
    log_in(second_page, "handler")
    second_page.goto(case_url)
    _act(second_page, "return", reason="路灯归城市管理部门，不属于本局")
    second_page.wait_for_url(re.compile(r"/staff/workorders$"))  # no longer theirs: back to their list
    expect(second_page.locator(f'a[href="{case_url}"]')).to_have_count(0)
    wo, events = _case(live_db, wo_id)
    assert wo.status == "returned" and events[-1].reason == "路灯归城市管理部门，不属于本局"

    # triage one-click: confirm the suggested department of the returned case (htmx swaps the row)
    page.goto("/staff/triage")
    row = page.locator(f"#case-{wo_id}")
    expect(row).to_contain_text("退单待重新分派")
    expect(row).to_contain_text("路灯归城市管理部门")
    row.get_by_role("button", name="确认建议").click()
    expect(page.locator(f"#case-{wo_id}.done")).to_contain_text("已派往 住房和城乡建设局")
    assert _case(live_db, wo_id)[0].status == "assigned"

    # accept, then add 生态环境局 as co-handler
    second_page.goto(case_url)
    _act(second_page, "accept")
    expect(second_page.locator("#wo-status")).to_contain_text("已签收")
    _act(second_page, "add_cohandler", department="生态环境局", reason="涉及夜间照明与环境")
    expect(second_page.locator("#wo-cohandlers")).to_contain_text("生态环境局")

    # the co-handler's handler sees the case in their list, may view it but not act as the lead
    log_in(third_page, "handler_env")
    third_page.goto("/staff/workorders")
    expect(third_page.locator(f'a[href="{case_url}"]')).to_have_count(1)
    third_page.goto(case_url)
    expect(third_page.locator("#wo-status")).to_contain_text("已签收")
    assert third_page.locator('form[data-form="start"]').count() == 0

    # priority (dispatcher), start and reply (handler)
    page.goto(case_url)
    _act(page, "set_priority", priority="紧急", reason="夜间安全隐患")
    expect(page.locator("#wo-priority")).to_contain_text("紧急")
    second_page.goto(case_url)
    _act(second_page, "start")
    expect(second_page.locator("#wo-status")).to_contain_text("办理中")
    second_page.get_by_label("答复内容").fill("已安排维修人员更换灯具，预计三日内恢复照明。")
    second_page.get_by_role("button", name="发送答复").click()
    expect(second_page.locator("#wo-status")).to_contain_text("已答复")

    # close, reopen with a reason, transfer to another department with a reason (dispatcher)
    page.goto(case_url)
    _act(page, "close")
    expect(status).to_contain_text("已办结")
    _act(page, "reopen", reason="市民反映路灯仍未修好")
    expect(status).to_contain_text("重新办理")
    _act(page, "transfer", department="交通运输局", reason="该路段路灯由交通部门管养")
    expect(status).to_contain_text("已派单")
    expect(page.locator("#wo-lead")).to_contain_text("交通运输局")

    # merge the duplicate: a wrong number is refused next to the field, the right one merges
    page.goto(f"/staff/workorders/{dup_id}")
    _act(page, "merge", into="99999")
    expect(page.locator("#err-merge-into")).to_be_visible()
    _act(page, "merge", into=str(wo_id), reason="同一路段同一问题")
    expect(status).to_contain_text("已办结")
    expect(page.locator("#wo-merged")).to_contain_text(f"#{wo_id}")

    wo, events = _case(live_db, wo_id)
    kinds = [e.kind for e in events]
    assert kinds == ["created", "assigned", "returned", "assigned", "accepted", "cohandler_added",
                     "priority_changed", "started", "replied", "closed", "reopened", "transferred",
                     "duplicate_merged"], kinds
    assert wo.status == "assigned" and wo.priority == "urgent" and wo.reopen_count == 1
    assert [e.actor for e in events if e.kind in ("returned", "accepted", "started")] == ["handler"] * 3
    dup, dup_events = _case(live_db, dup_id)
    assert dup.merged_into_id == wo_id and dup.close_reason == "merged" and dup_events[-1].kind == "merged"
