"""Similar cases on the case page and "use as a starting point", through the pages (SQLite + PostgreSQL)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.pages.test_staff_console import login

from massline.db.models.workorders import WorkOrder
from massline.db.session import session_scope


def test_case_page_lists_similar_answered_cases_and_copies_a_masked_reply(client: TestClient, seeded) -> None:
    with session_scope(seeded.resolved_database_url()) as session:
        ids = list(session.scalars(select(WorkOrder.id).where(WorkOrder.message_id.is_not(None))))
    login(client, "dispatcher")
    shown = {}
    for wo_id in ids:
        panel = client.get(f"/staff/workorders/{wo_id}/similar")
        assert panel.status_code == 200 and 'id="similar"' in panel.text
        found = re.findall(r'<article class="notice similar-case"><p><a href="/staff/messages/(\d+)"', panel.text)
        if found:
            shown[wo_id] = found
    assert shown, "no case in the seed shows a similar answered case"
    wo_id, sources = next(iter(shown.items()))
    draft = client.get(f"/staff/workorders/{wo_id}/draft", params={"from": sources[0]})
    assert draft.status_code == 200 and draft.text.startswith('<textarea id="reply-text"')
    assert "1381234" not in draft.text
    assert client.get(f"/staff/workorders/{wo_id}/draft", params={"from": 999999}).status_code == 404


def test_forecast_page_is_closed_to_handlers(client: TestClient) -> None:
    login(client, "handler")
    assert client.get("/staff/forecast").status_code in (403, 404)
