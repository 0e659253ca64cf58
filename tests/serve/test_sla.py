"""Deadlines on a working-day calendar, and the computed due / due-soon / overdue / escalation state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from massline import serve
from massline.core.errors import InputError
from massline.db.models.workorders import WorkOrder
from massline.serve.sla import load_sla_rules

CST = timezone(timedelta(hours=8))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "sla.yaml"
    path.write_text(
        "rules:\n"
        "  - {respond: 1d, close: 5d}\n"
        "  - {priority: urgent, respond: 2h, close: 1d}\n"
        "  - {category: 卫生计生, priority: urgent, respond: 1h, close: 1d}\n"
        "calendar: {holidays: [2019-10-01, 2019-10-02, 2019-10-03, 2019-10-04, 2019-10-07], workdays: [2019-10-12],"
        " use_chinese_calendar: false}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(("received", "duration", "due"), [
    ("2019-11-04 09:00", "1d", "2019-11-05 09:00"),  # Mon → Tue
    ("2019-11-08 18:00", "1d", "2019-11-11 18:00"),  # Fri → Mon
    ("2019-11-09 10:00", "1d", "2019-11-12 00:00"),  # Sat: clock starts Mon 00:00
    ("2019-11-04 09:00", "5d", "2019-11-11 09:00"),
    ("2019-09-30 10:00", "1d", "2019-10-08 10:00"),  # National Day holidays skipped
    ("2019-10-11 10:00", "1d", "2019-10-12 10:00"),  # make-up Saturday (调休) is a working day
    ("2019-11-09 10:00", "2h", "2019-11-09 12:00"),  # hours are calendar hours
])
def test_when_a_deadline_is_computed_then_it_follows_the_working_day_calendar(
    rules_file: Path, received: str, duration: str, due: str
) -> None:
    assert load_sla_rules(rules_file).add(at(received), duration) == at(due).astimezone(UTC)


def test_when_rules_overlap_then_the_most_specific_wins(rules_file: Path) -> None:
    rules = load_sla_rules(rules_file)
    assert rules.durations("卫生计生", "urgent") == ("1h", "1d")
    assert rules.durations("城乡建设", "urgent") == ("2h", "1d")
    assert rules.durations("城乡建设", "normal") == ("1d", "5d")


def test_when_a_rule_is_bad_then_input_error_names_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - {priority: asap, respond: 1d}\n", encoding="utf-8")
    with pytest.raises(InputError, match="priority"):
        load_sla_rules(bad)
    with pytest.raises(InputError, match="duration"):
        load_sla_rules().add(at("2019-11-04 09:00"), "soon")


def test_when_time_passes_then_status_goes_pending_due_soon_overdue_and_escalates(seeded: Session) -> None:
    received = at("2019-11-04 09:00")
    wo = serve.open_work_order(seeded, description="路面塌陷", category="城乡建设", department_code="zjj", at=received)
    assert wo.due_response_at == at("2019-11-05 09:00").astimezone(UTC)
    assert serve.sla_status(wo, received + timedelta(hours=1)).state == "pending"
    assert serve.sla_status(wo, received + timedelta(hours=20)).response == "due_soon"
    late = serve.sla_status(wo, received + timedelta(hours=30))
    assert (late.response, late.state, late.escalation_level) == ("overdue", "overdue", 1)
    assert serve.sla_status(wo, received + timedelta(days=3)).escalation_level == 2
    assert [d.code for d in serve.escalation_chain(seeded, wo.lead_department_id)] == ["city"]
    assert serve.escalation_target(seeded, wo, received + timedelta(hours=30)).code == "city"  # type: ignore[union-attr]
    assert serve.escalation_target(seeded, wo, received + timedelta(hours=1)) is None
    serve.accept(seeded, wo, actor="system", at=received + timedelta(hours=30))
    assert serve.sla_status(wo, received + timedelta(hours=31)).response == "missed"


def test_when_priority_is_urgent_then_deadlines_are_shorter(seeded: Session) -> None:
    wo: WorkOrder = serve.open_work_order(seeded, description="燃气泄漏", category="城乡建设", priority="urgent",
                                          department_code="zjj", at=at("2019-11-09 10:00"))
    assert wo.due_response_at == at("2019-11-09 12:00").astimezone(UTC)
    with pytest.raises(InputError, match="priority"):
        serve.open_work_order(seeded, description="x", priority="asap")
    serve.set_priority(seeded, wo, priority="normal", actor="system", reason="not dangerous after all")
    assert wo.due_response_at == at("2019-11-12 00:00").astimezone(UTC)  # Saturday → Mon 00:00 + 1 working day
    assert serve.events_of(seeded, wo)[-1].detail == {"from": "urgent", "to": "normal"}
