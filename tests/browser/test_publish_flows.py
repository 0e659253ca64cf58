"""End-to-end in chromium: the media centre writes, reviews and publishes; readers see it on the page and in feeds."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser
BEIJING = ZoneInfo("Asia/Shanghai")


def _draft_and_submit(page, title: str, body: str) -> str:
    page.goto("/staff/posts/new")
    page.get_by_label("标题").fill(title)
    page.get_by_label("正文（Markdown）").fill(body)
    page.get_by_label("主题（逗号分隔）").fill("城乡建设")
    page.get_by_label("区县（逗号分隔）").fill("A3区")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r"/staff/posts/\d+$"))
    url = page.url
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url(url)
    assert page.locator("#post-status").get_attribute("data-status") == "review"
    assert page.locator("#approve-button").is_disabled()  # nobody approves their own post
    return url


def _approve(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_url(url)
    assert page.locator("#post-status").get_attribute("data-status") == "approved"


def test_editor_drafts_reviewer_approves_post_is_public_and_in_all_feeds(page, second_page) -> None:
    log_in(page, "editor")
    url = _draft_and_submit(page, "A3区道路施工绕行公告", "12月10日起**西湖路**半幅施工，请绕行。")
    post_id = url.rsplit("/", 1)[1]
    log_in(second_page, "reviewer")
    _approve(second_page, url)
    second_page.get_by_role("button", name="发布").click()
    second_page.wait_for_url(url)
    assert second_page.locator("#post-status").get_attribute("data-status") == "published"

    reader = page.context.browser.new_context(base_url=page.url.split("/staff")[0], locale="zh-CN",
                                              viewport={"width": 390, "height": 844})  # a phone
    public = reader.new_page()
    public.goto("/posts")
    public.get_by_role("link", name="A3区道路施工绕行公告").click()
    public.wait_for_url(re.compile(rf"/posts/{post_id}$"))
    assert public.locator("#post-body strong").inner_text() == "西湖路"
    assert public.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scroll
    for fmt in ("rss", "atom", "json"):
        feed = public.request.get(f"/feeds/posts.{fmt}")
        assert feed.ok and "A3区道路施工绕行公告" in feed.text()
        assert "A3区道路施工绕行公告" in public.request.get(f"/feeds/posts.{fmt}?district=A3区").text()
    reader.close()


def test_scheduled_post_appears_at_its_time(page, second_page) -> None:
    log_in(page, "editor")
    url = _draft_and_submit(page, "定时发布的停水通知", "12月12日停水。")
    log_in(second_page, "reviewer")
    _approve(second_page, url)
    at = (datetime.now(BEIJING) + timedelta(seconds=6)).strftime("%Y-%m-%dT%H:%M:%S")
    second_page.get_by_label("发布时间（北京时间，留空为立即）").fill(at)
    second_page.get_by_role("button", name="发布").click()
    second_page.wait_for_url(url)
    assert second_page.locator("#post-status").get_attribute("data-status") == "scheduled"
    page.goto("/posts")
    assert "定时发布的停水通知" not in page.locator("#post-list").inner_text()
    for _ in range(40):  # the server's scheduler ticks every second in this setup
        page.wait_for_timeout(500)
        page.goto("/posts")
        if "定时发布的停水通知" in page.locator("#post-list").inner_text():
            break
    assert "定时发布的停水通知" in page.locator("#post-list").inner_text()
    assert datetime.now(BEIJING).strftime("%Y-%m-%dT%H:%M:%S") >= at  # not before its time


def test_post_with_an_id_number_cannot_be_published_until_masked(page, second_page) -> None:
    log_in(page, "editor")
    url = _draft_and_submit(page, "关于来信的答复", "来信人身份证号110101199003074258，问题已处理。")
    log_in(second_page, "reviewer")
    _approve(second_page, url)
    assert "ID_CARD" in second_page.locator("#pii-panel").inner_text()
    second_page.get_by_role("button", name="发布").click()
    assert "personal data" in second_page.locator("#action-error").inner_text()
    assert second_page.locator("#post-status").get_attribute("data-status") == "approved"
    page.goto(url)
    page.get_by_role("button", name="一键脱敏").click()
    page.wait_for_url(url)
    assert "未发现个人信息" in page.locator("#pii-panel").inner_text()
    second_page.goto(url)
    second_page.get_by_role("button", name="发布").click()
    second_page.wait_for_url(url)
    assert second_page.locator("#post-status").get_attribute("data-status") == "published"
    post_id = url.rsplit("/", 1)[1]
    page.goto(f"/posts/{post_id}")
    body = page.locator("#post-body").inner_text()
    assert "110101199003074258" not in body and "问题已处理" in body
