"""End-to-end in chromium: a message repeating a checked claim shows the evidence in the staff
console; the editor follows it to the claim (spread chart) and drafts a correction (JSON-LD preview)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from massline.analyze.run import message_doc
from massline.claims.component import ClaimCheck
from massline.claims.evidence import ClaimRecord, import_claims
from massline.claims.service import claims_config
from massline.core.config import Settings
from massline.db.models import Message
from massline.db.session import session_scope
from massline.store.results import save_results
from massline.web.pages.sample import create_user_with_password

pytestmark = pytest.mark.browser
PASSWORD = "password123"


@pytest.fixture(scope="module")
def matching_message(live_settings: Settings) -> int:
    """A stored message analysed by the real ``analyze.claims`` component against a one-claim base."""
    with session_scope(live_settings.resolved_database_url()) as session:
        claim = ClaimRecord(claim_id="c-oil", text="炒菜时放一颗剥皮的蒜头，蒜头变红色就是地沟油", verdict="false",
                            evidence="食品安全专家：大蒜变色与地沟油无关，不能用来鉴别。")
        import_claims(session, [claim], actor="test")
        create_user_with_password(session, "editor", "editor", PASSWORD)
        source_message = session.scalars(select(Message).order_by(Message.id)).first()
        assert source_message is not None
        body = "听说炒菜放蒜头，蒜头变红就是地沟油，是真的吗？"
        message = Message(source_id=source_message.source_id, title="地沟油？", body=body, original=body)
        session.add(message)
        session.flush()
        doc = ClaimCheck(**claims_config(live_settings, session))(message_doc(message))  # type: ignore[arg-type]
        save_results(session, message.id, doc.results)
        assert doc.result("claim_match") is not None
        return message.id


def test_when_a_message_repeats_a_checked_claim_then_the_console_shows_the_evidence(
        page, live_server: str, matching_message: int) -> None:
    page.goto("/staff/login")
    page.get_by_label("用户名").fill("editor")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/staff/inbox"))
    page.goto(f"/staff/messages/{matching_message}")
    box = page.locator("#claim-evidence-box")
    assert "该留言重复了已核查的说法" in box.inner_text()
    assert "不实" in box.inner_text() and "大蒜变色与地沟油无关" in box.inner_text()
    assert "地沟油" in box.inner_text()  # the matching words
    box.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/staff/desk/claims/c-oil"))
    assert "留言数：1" in page.locator("#spread-summary").inner_text()
    page.locator("#chart-spread canvas").wait_for()  # ECharts drew the spread chart
    page.get_by_role("button", name="起草辟谣说明").click()
    page.wait_for_url(re.compile(r"/staff/desk/corrections/\d+"))
    assert '"@type": "ClaimReview"' in page.locator("#jsonld-preview").inner_text()
    assert "结构检查通过" in page.content()
