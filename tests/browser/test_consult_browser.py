"""A participant votes and adds a statement in the browser; the results page shows groups and consensus.

Synthetic participants are seeded through the service (two camps that agree on statement 0),
so the groups exist; the pages and the export must never show an individual's votes.
"""

from __future__ import annotations

import pytest

from massline.consult import service
from massline.db.session import session_scope

pytestmark = pytest.mark.browser

SEEDS = [f"观点{i}：公园应当{'延长' if i % 2 else '缩短'}开放时间{i}" for i in range(8)]


def _seed(url: str) -> str:
    with session_scope(url) as s:
        c = service.create_consultation(s, title="公园开放时间", question="公园开放时间怎么调整？",
                                        background_md="关于**公园**的征集", seeds=SEEDS, slug="park-hours")
        ids = sorted(service.accepted_statements(s, c))
        for person in range(30):
            p = service.participant(s, c, f"seeded-{person}")
            for j, sid in enumerate(ids):
                value = 1 if j == 0 else (1 if (j % 2 == 0) == (person % 2 == 0) else -1)
                if (person * 7 + j * 3) % 11 == 0 and j:  # a little disagreement inside each camp
                    value = 0
                service.cast_vote(s, c, p, sid, value, check_rate=False)
        return c.slug


def test_participant_votes_submits_and_sees_aggregate_results(page, live_server: str, live_db: str) -> None:
    slug = _seed(live_db)
    page.goto(f"/consult/{slug}")
    page.get_by_text("公园开放时间怎么调整？").wait_for()
    first = page.locator(".statement-text").inner_text()
    page.get_by_role("button", name="同意", exact=True).click()
    page.wait_for_function("(t) => document.querySelector('.statement-text')?.innerText !== t", arg=first)
    page.get_by_role("button", name="不同意", exact=True).click()
    page.fill("#statement-body", "希望夜间也能开放部分区域")
    page.get_by_role("button", name="提交观点").click()
    page.locator(".notice").wait_for()
    assert "谢谢" in page.locator(".notice").inner_text()

    page.goto(f"/consult/{slug}/results")
    assert page.locator("ellipse").count() == 2
    assert page.locator(".group h3").count() == 2
    assert page.locator(".consensus-item").count() >= 1
    assert SEEDS[0].split("：")[1] in page.locator(".consensus").inner_text()
    html = page.content()
    assert "seeded-" not in html and "participant_id" not in html
    assert not any(service.token_hash(f"seeded-{i}")[:12] in html for i in range(30))
    csv_text = page.request.get(f"/consult/{slug}/export.csv").text()
    assert "seeded-" not in csv_text and "participant" not in csv_text.splitlines()[0]

    page.goto(f"/consult/{slug}?lang=en")
    assert page.get_by_role("button", name="Agree", exact=True).count() + page.locator(".done").count() >= 1
