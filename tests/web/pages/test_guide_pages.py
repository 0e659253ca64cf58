"""Guide pages on real 附件3 sample messages: dashboard, issue page, incident actions, department walls."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from tests.guide.conftest import FJ3_SAMPLE
from tests.web.pages.pages_helpers import login

from massline.core.config import Settings
from massline.guide.inject import write_with_burst
from massline.guide.snapshot import clear_cache
from massline.ingest.service import ingest_paths


def _load_sample(settings: Settings, tmp_path: Path) -> None:
    clear_cache()
    data = tmp_path / "fj3_with_burst.csv"
    write_with_burst(FJ3_SAMPLE, data, template_id="360113", size=6, hours=3.0, seed=1)
    ingest_paths(settings, [data])


def test_analyst_sees_hot_issues_alerts_and_works_an_incident(client: TestClient, seeded: Settings,
                                                              tmp_path: Path) -> None:
    _load_sample(seeded, tmp_path)
    token = login(client, "analyst")
    page = client.get("/staff/guide")
    assert page.status_code == 200 and "热点问题" in page.text and "话题走势" in page.text
    chart = json.loads(re.search(r'id="guide-chart-data">(.*?)</script>', page.text, re.S).group(1))  # type: ignore[union-attr]
    assert chart["periods"] and chart["series"]
    assert "热度构成" in page.text and "留言量" in page.text and "突发预警" in page.text
    assert 'class="alert"' in page.text  # the injected burst raised an alert
    issue_id = re.search(r'href="/staff/guide/issues/([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    issue = client.get(f"/staff/guide/issues/{issue_id}")
    assert issue.status_code == 200 and "风险" in issue.text and 'id="risk-reasons"' in issue.text
    opened = client.post("/staff/guide/incidents", data={"csrf_token": token, "origin_kind": "issue",
                                                         "origin_ref": issue_id}, follow_redirects=False)
    assert opened.status_code == 303
    url = opened.headers["location"]
    moved = client.post(f"{url}/act", data={"csrf_token": token, "action": "move", "stage": "analyse"},
                        follow_redirects=True)
    assert moved.status_code == 200 and 'data-stage="analyse"' in moved.text
    bad = client.post(f"{url}/act", data={"csrf_token": token, "action": "move", "stage": "prevent"})
    assert bad.status_code == 400 and "one stage at a time" in bad.text
    assert "#1" in client.get("/staff/guide").text  # on the incident board


def test_handler_sees_only_their_department_and_no_incident_actions(client: TestClient, seeded: Settings,
                                                                    tmp_path: Path) -> None:
    _load_sample(seeded, tmp_path)
    token = login(client, "analyst")
    page = client.get("/staff/guide")
    issue_id = re.search(r'href="/staff/guide/issues/([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    url = client.post("/staff/guide/incidents", data={"csrf_token": token, "origin_kind": "issue",
                                                      "origin_ref": issue_id}, follow_redirects=False
                      ).headers["location"]
    client.post("/staff/logout", data={"csrf_token": token})
    login(client, "handler")
    mine = client.get("/staff/guide")
    assert mine.status_code == 200 and "本部门" in mine.text
    assert "魅力之城" not in mine.text and "经济学院" not in mine.text  # the 附件3 file is not their department's
    assert client.get(url).status_code == 404  # a city-wide incident is behind the department wall
    client.post("/staff/logout", data={"csrf_token": login(client, "handler")})
    login(client, "dispatcher")
    seen = client.get(url)
    assert seen.status_code == 200 and 'id="next-stage"' not in seen.text  # dispatchers read, analysts act
