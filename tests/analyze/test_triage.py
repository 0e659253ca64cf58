"""A dispatcher's decision changes the stored route, is audited, and becomes training data."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.analyze.routing import (
    confirmed_examples,
    current_route,
    current_rules,
    decide,
    set_rule,
    show_rules,
    triage_count,
    triage_queue,
)
from massline.analyze.routing.component import route_results
from massline.analyze.run import analyze_messages
from massline.core.config import Settings
from massline.core.errors import InputError, NotFoundError
from massline.core.types import Result
from massline.db.models import AuditEvent
from massline.db.models.routing import TriageDecision
from massline.store.results import current_results


@pytest.mark.parametrize(
    ("category", "confidence", "queue", "department"),
    [
        ("环境保护", 0.95, "auto", "sthjj"),
        ("环境保护", 0.80, "auto", "sthjj"),
        ("环境保护", 0.79, "triage", None),
        ("不存在的类", 0.99, "triage", None),
        (None, None, "triage", None),
    ],
)
def test_when_routing_then_threshold_and_rules_decide_the_queue(
    category: str | None, confidence: float | None, queue: str, department: str | None
) -> None:
    result = None if category is None else Result("analyze.category", "1/m", "category", category, confidence)
    route, dep = route_results(result, {"环境保护": "sthjj"}, 0.80)
    assert route.value["queue"] == queue
    assert route.value["department"] == dep.value == department
    assert route.reason


def _analysed(settings: Settings, session: Session, add_messages: Any, fake_model: Any) -> list[int]:
    ids: list[int] = add_messages(session)
    analyze_messages(settings, configs={"analyze.category": {"model": fake_model}})
    return ids


def test_when_dispatcher_decides_then_route_changes_audit_is_left_and_example_is_confirmed(
    settings: Settings, session: Session, add_messages: Any, fake_model: Any
) -> None:
    ids = _analysed(settings, session, add_messages, fake_model)
    assert current_route(session, ids[0])["queue"] == "auto"  # type: ignore[index]
    queue = triage_queue(session)
    assert [item.message_id for item in queue] == [ids[3]] and triage_count(session) == 1
    assert queue[0].category == "城乡建设" and queue[0].confidence == pytest.approx(0.55)
    assert queue[0].department == "zjj"

    decide(session, ids[3], "商贸旅游", actor="dispatcher1", reason="物业收费属市场监管")
    session.commit()

    cur = current_results(session, ids[3])
    route = current_route(session, ids[3])
    assert route is not None and route["department"] == "swj" and route["queue"] == "decided"
    assert cur["category"].value == "商贸旅游" and cur["category"].component == "human.dispatcher"
    assert cur["category"].confidence == 1.0
    assert cur["department"].value == "swj"
    assert cur["route"].value == {"department": "swj", "queue": "decided", "category": "商贸旅游"}
    assert triage_queue(session) == []
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "triage.decide")).one()
    assert audit.actor == "dispatcher1" and audit.object_id == str(ids[3])
    assert audit.detail["previous"]["category"] == "城乡建设"
    decision = session.scalars(select(TriageDecision)).one()
    assert decision.previous["route"]["value"]["queue"] == "triage"
    examples = confirmed_examples(session)
    assert len(examples) == 1 and examples[0][1] == "商贸旅游" and "物业" in examples[0][0]


def test_when_reanalysed_after_a_decision_then_the_dispatchers_word_stays(
    settings: Settings, session: Session, add_messages: Any, fake_model: Any
) -> None:
    ids = _analysed(settings, session, add_messages, fake_model)
    decide(session, ids[3], "商贸旅游", department="swj", actor="d")
    session.commit()
    summary = analyze_messages(settings, only_new=False,
                               configs={"analyze.category": {"model": type(fake_model)(version="fake-2")}})
    assert summary.kept_human == 1
    session.expire_all()
    cur = current_results(session, ids[3])
    assert cur["category"].component == "human.dispatcher"
    assert cur["request_type"].component == "analyze.request_type"


def test_when_decision_is_confirmed_without_category_then_suggestion_is_taken(
    settings: Settings, session: Session, add_messages: Any, fake_model: Any
) -> None:
    ids = _analysed(settings, session, add_messages, fake_model)
    decision = decide(session, ids[3], None, actor="d")
    assert decision.category == "城乡建设" and decision.department_code == "zjj"


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"category": "不存在", "actor": "d"}, InputError, "category"),
        ({"category": "环境保护", "department": "nope", "actor": "d"}, InputError, "department"),
        ({"category": "环境保护", "actor": " "}, InputError, "actor"),
    ],
)
def test_when_decision_is_bad_then_clear_error_names_the_field(
    session: Session, add_messages: Any, kwargs: dict[str, Any], error: type[Exception], field: str
) -> None:
    (mid,) = add_messages(session, [("t", "b")])
    with pytest.raises(error) as info:
        decide(session, mid, **kwargs)
    assert getattr(info.value, "field", None) == field


def test_when_message_is_missing_then_not_found(session: Session) -> None:
    with pytest.raises(NotFoundError):
        decide(session, 999, "环境保护", actor="d")


def test_when_admin_sets_a_rule_then_it_is_in_force_and_audited(session: Session) -> None:
    assert current_rules(session)["卫生计生"] == "wjw"
    set_rule(session, "卫生计生", "a1", actor="admin", reason="pilot in A1区")
    session.commit()
    assert current_rules(session)["卫生计生"] == "a1"
    row = next(r for r in show_rules(session) if r["category"] == "卫生计生")
    assert row["name"] == "A1区人民政府" and row["updated_by"] == "admin"
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "routing.set")).one()
    assert audit.detail == {"category": "卫生计生", "before": "wjw", "after": "a1"}
    with pytest.raises(InputError, match="unknown department"):
        set_rule(session, "卫生计生", "nope", actor="admin")


@pytest.mark.parametrize("queued_case_exists", [False, True])
def test_when_work_orders_are_installed_then_a_decision_assigns_the_case(
    settings: Settings, session: Session, add_messages: Any, fake_model: Any, queued_case_exists: bool
) -> None:
    pytest.importorskip("massline.serve.workorders")
    cases = pytest.importorskip("massline.serve.cases")
    from massline.db.models.users import Department
    from massline.db.models.workorders import WorkOrder

    ids = _analysed(settings, session, add_messages, fake_model)
    if queued_case_exists:
        assert cases.open_work_order(session, message_id=ids[3], actor="system").status == "new"
    decide(session, ids[3], "商贸旅游", actor="dispatcher1", reason="物业收费")
    session.commit()
    wo = session.scalars(select(WorkOrder).where(WorkOrder.message_id == ids[3])).one()
    assert wo.status == "assigned" and wo.category == "商贸旅游"
    dep = session.get(Department, wo.lead_department_id)
    assert dep is not None and dep.code == "swj"
