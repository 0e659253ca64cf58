"""How an Open311 request is routed: the analysis pipeline decides, the citizen's service must agree."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from massline.core.types import Doc, Result
from massline.db.models.message import AnalysisResult
from massline.db.models.workorders import WorkOrder
from massline.db.session import session_scope
from massline.serve.requests import route
from massline.web.api.open311_services import get_service

if TYPE_CHECKING:
    from tests.web.api.conftest import Api


def routed(category: str | None, department: str | None, queue: str, confidence: float = 0.93) -> Doc:
    doc = Doc(text="噪音")
    doc.add_result(Result("analyze.route", "1", "route",
                          {"department": department, "queue": queue, "category": category}, confidence, "why"))
    return doc


@pytest.mark.parametrize(("doc", "expected"), [
    (None, None),
    (Doc(text="无结果"), None),
    (routed("环境保护", "sthjj", "auto"), "sthjj"),
    (routed("环境保护", None, "triage", 0.41), None),
    (routed("城乡建设", "zjj", "auto"), None),  # classifier disagrees with the citizen's choice
])
def test_when_routing_then_only_a_confident_agreeing_classifier_assigns(doc: Doc | None, expected: str | None) -> None:
    department, _, reason = route(get_service("huanjing-baohu").name, doc.result("route") if doc else None)
    assert department == expected
    assert reason.startswith("Open311：")  # reasons are Chinese; codes stay in machine fields


def test_when_no_classifier_is_trained_then_other_analysis_is_stored_and_the_case_waits(api_shared: Api) -> None:
    created = api_shared.post_request(description="紧急！小区门口下水道堵塞污水外溢，已经三天了")
    with session_scope(api_shared.url) as session:
        wo = session.get(WorkOrder, created["service_request_id"])
        assert wo is not None and wo.status == "new" and wo.lead_department_id is None
        assert wo.route_reason and "人工分拨" in wo.route_reason
        keys = set(session.scalars(select(AnalysisResult.key).where(AnalysisResult.message_id == wo.message_id)))
    assert keys and "category" not in keys
