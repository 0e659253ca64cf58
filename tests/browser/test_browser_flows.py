"""End-to-end in chromium: the dispatcher's day and the public's request, as people click through them."""

from __future__ import annotations

import re

import pytest
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def test_when_a_dispatcher_triages_replies_and_opens_the_dashboard_then_it_all_works(page, second_page) -> None:
    page.goto("/staff/inbox")
    assert "/staff/login" in page.url
    log_in(page, "dispatcher")
    assert page.locator("#inbox-count").inner_text().startswith("共")
    page.get_by_label("全文搜索").fill("噪音")
    page.get_by_role("button", name="筛选").click()
    # a locator wait, not wait_for_function: the Content-Security-Policy forbids evaluating strings
    page.locator("#inbox-count", has_text="共 1 条").wait_for()
    assert "噪音" in page.locator("#inbox-results tbody").inner_text()

    # confirm the suggested route of the first triaged message (道路破损 → 城乡建设)
    page.goto("/staff/triage")
    row = page.locator("tr[id^=triage-]").filter(has_text="道路破损")
    row.get_by_role("button", name="确认").click()
    link = page.locator("a.wo-link")
    link.wait_for()
    assert "已分拨" in page.locator("tr.done").inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/staff/workorders/\d+"))
    work_order_url = page.url
    assert "已派单" in page.locator("#wo-status").inner_text()
    assert page.locator("#timeline li").count() >= 2
    assert page.locator("#reply-later").is_visible()  # the department must accept before anyone replies
    assert "13812345678" not in page.content()  # the message's phone number is masked for staff too

    # the handler of 城乡建设 accepts the case in their own browser
    log_in(second_page, "handler")
    second_page.goto(work_order_url)
    second_page.get_by_role("button", name="签收").click()
    second_page.wait_for_url(work_order_url)
    assert "已签收" in second_page.locator("#wo-status").inner_text()

    # the dispatcher replies; the live PII check shows what the public will read
    page.reload()
    page.get_by_label("答复内容").fill("请拨打13812345678联系我们。")
    page.locator("#pii-result").wait_for()
    assert "13812345678" not in page.locator("#pii-result").inner_text()
    page.get_by_label("答复内容").fill("经现场核查，破损路面已安排维修，感谢监督。")
    page.get_by_role("button", name="发送答复").click()
    page.wait_for_url(work_order_url)
    assert "已答复" in page.locator("#wo-status").inner_text()
    assert "破损路面已安排维修" in page.locator("article.reply").last.inner_text()

    page.goto("/staff/dashboard")
    page.wait_for_selector("body[data-charts-ready=true]")
    totals = page.evaluate("""() => ['chart-category', 'chart-district', 'chart-monthly'].map(id => {
        const chart = echarts.getInstanceByDom(document.getElementById(id));
        const series = chart.getOption().series;
        return series.reduce((sum, s) => sum + s.data.reduce((a, b) => a + (b || 0), 0), 0);
    })""")
    assert all(total > 0 for total in totals), totals
    assert page.locator("#chart-category canvas").count() == 1


def test_when_the_public_submits_a_request_then_errors_are_clear_and_the_token_tracks_it(page) -> None:
    page.goto("/")
    page.get_by_label("问题类别").select_option(label="环境保护")
    page.get_by_label("留言主题").fill("河道有异味")
    page.get_by_label("问题描述").fill("A2区某河道近一周持续散发恶臭。")
    page.get_by_role("button", name="提交留言").click()
    error = page.locator("#e-address_string")
    error.wait_for()
    assert "问题地点" in error.inner_text()
    assert page.get_by_label("问题地点").get_attribute("aria-invalid") == "true"

    page.get_by_label("问题地点").fill("A2区滨河路")
    page.get_by_role("button", name="提交留言").click()
    page.wait_for_url(re.compile(r"/track/"), timeout=60_000)  # the first submission builds the pipeline
    token = page.locator("#token").inner_text().strip()
    assert len(token) > 20

    page.goto("/track")
    page.get_by_label("查询码").fill(token)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"/track/" + re.escape(token)))
    assert "河道有异味" in page.content()
    assert page.locator("#status").inner_text().strip()
