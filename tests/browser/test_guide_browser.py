"""The analyst's morning in chromium: the guide dashboard (stacked topics chart, hot issues with heat parts,
alerts), one issue, and an incident opened and moved on. ``MASSLINE_SCREENSHOTS=DIR`` keeps the pictures."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.browser.conftest import _new_page, seed, serve
from tests.browser.helpers import PASSWORD
from tests.guide.conftest import FJ3_SAMPLE

from massline.core.config import Settings
from massline.db.session import session_scope
from massline.guide.inject import write_with_burst
from massline.ingest.service import ingest_paths
from massline.web.pages.sample import create_user_with_password

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def guide_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("guide_browser")

    def prepare(url: str) -> None:
        seed(url)
        with session_scope(url) as session:
            create_user_with_password(session, "analyst", "analyst", PASSWORD)
        data = Path(os.environ.get("MASSLINE_GUIDE_DATA", "")) if os.environ.get("MASSLINE_GUIDE_DATA") else None
        burst = folder / "with_burst.csv"
        write_with_burst(data or FJ3_SAMPLE, burst, template_id="360113", size=6, hours=3.0, seed=1)
        ingest_paths(Settings(database_url=url, data_dir=folder, secret_key="browser-secret"), [burst])

    yield from serve(folder, prepare)


def test_an_analyst_reads_the_guide_and_opens_an_incident(browser: object, guide_server: str,
                                                         tmp_path: Path) -> None:
    context, page = _new_page(browser, guide_server)
    page.set_viewport_size({"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page.set_default_timeout(60_000)  # type: ignore[attr-defined]  # the first guide view segments every message
    shots = Path(os.environ.get("MASSLINE_SCREENSHOTS", str(tmp_path)))
    try:
        page.goto("/staff/login")  # type: ignore[attr-defined]
        page.get_by_label("用户名").fill("analyst")  # type: ignore[attr-defined]
        page.get_by_label("密码").fill(PASSWORD)  # type: ignore[attr-defined]
        page.get_by_role("button", name="登录").click()  # type: ignore[attr-defined]
        page.wait_for_url(re.compile(r"/staff/inbox"))  # type: ignore[attr-defined]
        page.get_by_role("link", name="舆情引导").click()  # type: ignore[attr-defined]
        page.wait_for_selector("body[data-charts-ready=true]")  # type: ignore[attr-defined]
        assert page.locator("#chart-topics canvas").count() >= 1  # type: ignore[attr-defined]
        assert page.locator("#hot-issues tbody tr").count() >= 3  # type: ignore[attr-defined]
        assert "留言量" in page.locator("#hot-issues").inner_text()  # type: ignore[attr-defined]
        assert page.locator("#alerts li.alert").count() >= 1  # type: ignore[attr-defined]
        page.screenshot(path=str(shots / "guide.png"), full_page=True)  # type: ignore[attr-defined]
        page.locator("#hot-issues tbody tr a").first.click()  # type: ignore[attr-defined]
        page.wait_for_url(re.compile(r"/staff/guide/issues/"))  # type: ignore[attr-defined]
        assert page.locator("#risk-reasons li").count() >= 1  # type: ignore[attr-defined]
        page.screenshot(path=str(shots / "guide-issue.png"), full_page=True)  # type: ignore[attr-defined]
        page.locator("#open-incident").click()  # type: ignore[attr-defined]
        page.wait_for_url(re.compile(r"/staff/guide/incidents/\d+"))  # type: ignore[attr-defined]
        assert page.locator("#stage").get_attribute("data-stage") == "identify"  # type: ignore[attr-defined]
        page.locator("#next-stage").click()  # type: ignore[attr-defined]
        page.wait_for_selector("#stage[data-stage=analyse]")  # type: ignore[attr-defined]
        assert page.locator("#events tbody tr").count() >= 2  # type: ignore[attr-defined]
    finally:
        context.close()  # type: ignore[attr-defined]
