"""In chromium: the reply checks warn about a missing basis; the forecast chart draws."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def test_when_a_reply_cites_no_basis_then_the_handler_is_warned(page) -> None:
    log_in(page, "dispatcher")
    page.goto("/staff/workorders")
    links = [a.get_attribute("href") for a in page.locator("a[href^='/staff/workorders/']").all()]
    for href in links:  # the first case the dispatcher may reply to
        page.goto(href)
        editor = page.get_by_label("答复内容")
        if editor.count():
            break
    else:
        pytest.fail(f"no case in the seed takes a reply: {links}")
    editor.fill("您好，已收悉，我们会处理。")
    warning = page.locator("#check-interpretability")
    warning.wait_for(timeout=60_000)  # the first check loads jieba's dictionary in the server
    assert "未引用任何依据" in warning.inner_text() and "warn" in (warning.get_attribute("class") or "")
    editor.fill("网友您好！经现场核查，根据《城市道路管理条例》第二十条，破损路面将于5月底前修复，如有疑问请致电12345。")
    # a locator wait, not wait_for_function: the Content-Security-Policy forbids evaluating strings
    expect(page.locator("#check-interpretability")).not_to_contain_text("未引用", timeout=30_000)
    assert "依据" in page.locator("#check-interpretability").inner_text()


def test_when_a_planner_opens_the_forecast_then_the_chart_shows_actuals_and_forecast(page) -> None:
    log_in(page, "dispatcher")
    page.goto("/staff/forecast?freq=D")
    page.wait_for_selector("body[data-charts-ready=true]")
    sums = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.getElementById('chart-forecast'));
        return chart.getOption().series.map(s => s.data.reduce((a, b) => a + (b || 0), 0));
    }""")
    assert sums[2] > 0 and sums[3] >= 0, sums  # actual counts drawn, forecast drawn
    assert page.locator("#forecast-model").inner_text().startswith("模型")
    assert page.locator("table tbody tr").count() == 7
