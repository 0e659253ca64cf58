"""Working-day calendar (statutory + overrides), reopen re-basing, escalation, one overdue, rates over due cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from massline import serve
from massline.analyze.classify.threshold import choose_threshold, wilson_lower
from massline.db.models.deadlines import Notification
from massline.db.models.workorders import WorkOrder, WorkOrderEvent
from massline.serve.calendar import clear_day, day_info, set_day
from massline.serve.escalation import escalate_overdue, overdue_cases
from massline.serve.metrics import compute_metrics
from massline.serve.queries import replies_of
from massline.serve.sla import is_overdue, load_sla_rules, overdue_clause

CST = timezone(timedelta(hours=8))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def test_when_no_file_is_configured_then_statutory_holidays_and_make_up_days_count() -> None:
    rules = load_sla_rules()
    assert not rules.calendar.is_working_day(date(2025, 10, 1))  # National Day
    assert rules.calendar.is_working_day(date(2025, 9, 28))  # a Sunday worked instead (调休)
    assert rules.add(at("2025-09-30 10:00"), "1d") == at("2025-10-09 10:00").astimezone(UTC)


def test_when_an_administrator_overrides_a_day_then_deadlines_follow_and_it_is_audited(seeded: Session) -> None:
    assert day_info(seeded, "2019-11-05").working
    set_day(seeded, "2019-11-05", "holiday", actor="admin", note="台风停工")
    assert not day_info(seeded, "2019-11-05").working and day_info(seeded, "2019-11-05").source == "override"
    rules = load_sla_rules(session=seeded)
    assert rules.add(at("2019-11-04 09:00"), "1d") == at("2019-11-06 09:00").astimezone(UTC)
    set_day(seeded, "2019-11-09", "workday", actor="admin")  # a Saturday worked
    assert load_sla_rules(session=seeded).calendar.is_working_day(date(2019, 11, 9))
    clear_day(seeded, "2019-11-05", actor="admin")
    assert day_info(seeded, "2019-11-05").working


def test_when_a_case_is_reopened_then_its_close_deadline_runs_from_the_reopening(seeded: Session) -> None:
    received = at("2019-11-04 09:00")
    wo = serve.open_work_order(seeded, description="路灯不亮", category="城乡建设", department_code="zjj",
                               at=received)
    serve.accept(seeded, wo, actor="system", at=received + timedelta(hours=1))
    serve.reply(seeded, wo, actor="system", text="已修复", at=received + timedelta(days=2))
    serve.close(seeded, wo, actor="system", at=received + timedelta(days=2, hours=1))
    reopened = at("2019-12-02 10:00")  # a month later, after an unsatisfied rating
    serve.reopen(seeded, wo, actor="disp", reason="仍然不亮", at=reopened)
    assert wo.reopened_at == reopened
    assert wo.due_close_at == at("2019-12-09 10:00").astimezone(UTC)  # 5 working days from the reopening
    assert serve.sla_status(wo, reopened + timedelta(days=1)).close == "pending"  # not "overdue since November"


def test_when_the_sweep_runs_twice_then_each_overdue_case_is_escalated_once_with_event_and_notification(
    seeded: Session
) -> None:
    received = at("2019-11-04 09:00")
    wo = serve.open_work_order(seeded, description="污水外溢", category="环境保护", department_code="sthjj",
                               at=received)
    fresh = serve.open_work_order(seeded, description="噪音", category="环境保护", department_code="sthjj",
                                  at=at("2019-11-06 08:00"))
    now = at("2019-11-05 12:00")  # response due 11-05 09:00: overdue by 3 h (level 1)
    done = escalate_overdue(seeded, now)
    assert [(e.work_order_id, e.level, e.to_department) for e in done] == [(wo.id, 1, "city")]
    assert escalate_overdue(seeded, now) == []  # idempotent
    kinds = seeded.scalars(select(WorkOrderEvent.kind).where(WorkOrderEvent.work_order_id == wo.id)).all()
    assert kinds.count("escalated") == 1
    assert seeded.scalar(select(func.count(Notification.id)).where(Notification.work_order_id == wo.id)) == 2
    listed = [c.work_order.id for c in overdue_cases(seeded, now=now)]
    assert listed == [wo.id] and fresh.id not in listed
    later = escalate_overdue(seeded, at("2019-11-20 12:00"))  # much later: level 2 for the first case
    assert (wo.id, 2) in [(e.work_order_id, e.level) for e in later]


def test_when_overdue_is_asked_in_python_and_sql_then_both_agree(seeded: Session) -> None:
    received = at("2019-11-04 09:00")
    cases = [serve.open_work_order(seeded, description=f"事项{i}", category="城乡建设", department_code="zjj",
                                   at=received + timedelta(days=i)) for i in range(6)]
    serve.accept(seeded, cases[0], actor="system", at=received + timedelta(hours=2))
    serve.close(seeded, serve.open_work_order(seeded, description="广告", at=received), actor="disp",
                reason="非诉求")
    seeded.flush()
    for now in (at("2019-11-05 10:00"), at("2019-11-08 10:00"), at("2019-11-20 10:00")):
        sql = set(seeded.scalars(select(WorkOrder.id).where(overdue_clause(now))))
        python = {w.id for w in seeded.scalars(select(WorkOrder)) if is_overdue(w, now)}
        assert sql == python


def test_when_cases_are_not_yet_due_then_rates_leave_them_out(seeded: Session) -> None:
    received = at("2019-11-04 09:00")
    answered = serve.open_work_order(seeded, description="答复了", category="城乡建设", department_code="zjj",
                                     at=received)
    serve.accept(seeded, answered, actor="system", at=received + timedelta(hours=1))
    serve.open_work_order(seeded, description="今天刚到", category="城乡建设", department_code="zjj",
                          at=at("2019-11-08 08:00"))
    row = compute_metrics(seeded, now=at("2019-11-08 09:00"))[0]
    assert row.received == 2 and row.response_due == 1 and row.response_rate == 1.0
    assert compute_metrics(seeded, now=at("2019-11-20 09:00"))[0].response_rate == 0.5


def test_when_a_merged_duplicate_is_reopened_then_it_counts_again_and_the_requester_saw_the_main_reply(
    seeded: Session
) -> None:
    received = at("2019-11-04 09:00")
    main = serve.open_work_order(seeded, description="路灯坏了", category="城乡建设", department_code="zjj",
                                 at=received)
    dup = serve.open_work_order(seeded, description="路灯坏了（重复）", category="城乡建设", at=received)
    serve.merge(seeded, dup, into=main, actor="disp")
    serve.accept(seeded, main, actor="system", at=received + timedelta(hours=1))
    serve.reply(seeded, main, actor="system", text="已安排维修", at=received + timedelta(hours=5))
    assert [r.text for r in replies_of(seeded, dup, public_only=True)] == ["已安排维修"]
    assert compute_metrics(seeded, now=at("2019-12-01 00:00"))[0].received == 1  # counted once
    serve.reopen(seeded, dup, actor="disp", reason="不是同一盏灯")
    assert dup.merged_into_id is None
    assert compute_metrics(seeded, now=at("2019-12-01 00:00"))[0].received == 2


def test_when_the_threshold_is_chosen_then_the_lower_wilson_bound_meets_the_target() -> None:
    rng = np.random.default_rng(7)
    confidence = rng.uniform(0.3, 1.0, 4000)
    correct = rng.uniform(0, 1, 4000) < confidence  # calibrated: right with probability = confidence
    choice = choose_threshold(confidence, correct)
    assert choice.met and choice.wilson_lower >= 0.98
    routed = confidence >= choice.threshold
    assert wilson_lower(int(correct[routed].sum()), int(routed.sum())) >= 0.98
    looser = confidence >= choice.threshold - 0.02
    assert wilson_lower(int(correct[looser].sum()), int(looser.sum())) < 0.98 or choice.threshold <= 0.5
    assert wilson_lower(98, 100) < 0.98 < 98 / 100 + 0.001  # a point estimate on the target is not enough


def test_when_times_are_read_back_then_they_are_aware_utc_on_every_database(seeded: Session) -> None:
    wo = serve.open_work_order(seeded, description="x", at=at("2019-02-08 09:05:01"))
    seeded.commit()
    seeded.expire_all()
    again = seeded.get(WorkOrder, wo.id)
    assert again is not None and again.created_at.tzinfo is not None
    assert again.created_at == datetime(2019, 2, 8, 1, 5, 1, tzinfo=UTC)
    assert seeded.scalar(select(func.count(WorkOrder.id)).where(
        WorkOrder.created_at >= at("2019-02-08 09:05:01"))) == 1  # offsets honoured in SQL filters


@pytest.mark.parametrize("value", ["2019-13-01", "tomorrow"])
def test_when_an_override_date_is_bad_then_input_error_names_the_field(seeded: Session, value: str) -> None:
    from massline.core.errors import InputError

    with pytest.raises(InputError, match="date"):
        set_day(seeded, value, "holiday", actor="admin")
