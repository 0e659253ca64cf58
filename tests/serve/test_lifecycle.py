"""One request's whole life, on SQLite and PostgreSQL: every event, the audit trail and the metrics after it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from massline import serve
from massline.core.errors import InputError, NotFoundError, PermissionDenied, TransitionError
from massline.db.models.audit import AuditEvent
from massline.db.models.message import Message
from massline.db.models.users import User
from massline.db.session import get_sessionmaker
from massline.privacy import mask_text
from massline.serve.metrics import compute_metrics
from massline.serve.workorders import on_triage_decision

T0 = datetime(2019, 11, 4, 9, 0, tzinfo=timezone(timedelta(hours=8)))  # a Monday, China time


def test_when_a_request_lives_its_whole_life_then_every_step_is_an_event_and_metrics_follow(
    seeded: Session, users: dict[str, User]
) -> None:
    s = seeded
    h_zjj, h_jt, h_env, disp = users["h_zjj"], users["h_jt"], users["h_env"], users["disp"]

    # Created as the Open311 endpoint does (no department yet), then routed automatically.
    wo = serve.open_work_order(
        s, description="A2区某小区路灯坏了一个月，晚上很危险", category="城乡建设", service_code="urban",
        source="open311", actor="api_key:1", at=T0,
        location=serve.Location(lat=28.2, long=112.9, address_string="A2区某路1号"),
        contact={"email": "someone@example.com", "first_name": "张"}, secret_key="k",
    )
    assert wo.status == "new" and wo.district == "A2区" and wo.token and wo.contact_id
    serve.assign(s, wo, department_code="zjj", actor="system:routing", reason="城乡建设 → zjj (0.93)",
                 at=T0 + timedelta(minutes=1))
    serve.accept(s, wo, actor=h_zjj, at=T0 + timedelta(hours=2))
    serve.transfer(s, wo, department_code="jtysj", actor=h_zjj, reason="路灯属交通运输局管理",
                   at=T0 + timedelta(hours=3))
    assert wo.status == "assigned" and wo.lead_department_id == h_jt.department_id
    with pytest.raises(NotFoundError):
        serve.get_work_order(s, wo.id, h_zjj)  # the old department no longer sees it
    serve.accept(s, wo, actor=h_jt, at=T0 + timedelta(hours=4))
    serve.start(s, wo, actor=h_jt, at=T0 + timedelta(hours=5))
    serve.add_cohandler(s, wo, department_code="sthjj", actor=h_jt, reason="涉及光污染",
                        at=T0 + timedelta(hours=5, minutes=30))
    assert serve.get_work_order(s, wo.id, h_env) is wo  # a co-handler sees the case …
    serve.note(s, wo, text="已派人核查光照情况", actor=h_env, at=T0 + timedelta(hours=6))
    with pytest.raises(PermissionDenied):  # … but only the lead replies
        serve.reply(s, wo, text="x", actor=h_env)
    text1 = "您好，路灯已于今日修复，联系电话 13812345678。"
    r1 = serve.reply(s, wo, text=text1, public=True, actor=h_jt, at=T0 + timedelta(hours=8))
    assert r1.public_text == mask_text(text1, "public") and "found" in r1.pii_check
    serve.rate(s, wo.token, "不满意", "只修了一盏", at=T0 + timedelta(days=2))
    serve.reopen(s, wo, actor=disp, reason="市民不满意：只修了一盏", at=T0 + timedelta(days=2, hours=1))
    assert wo.reopen_count == 1 and wo.closed_at is None
    serve.start(s, wo, actor=h_jt, at=T0 + timedelta(days=2, hours=2))
    serve.reply(s, wo, text="其余路灯均已修复。", actor=h_jt, at=T0 + timedelta(days=3))
    serve.rate(s, wo.token, "满意", at=T0 + timedelta(days=3, minutes=30))
    serve.close(s, wo, actor=h_jt, at=T0 + timedelta(days=3, hours=1))
    s.flush()

    events = serve.events_of(s, wo)
    assert [(e.kind, e.from_status, e.to_status) for e in events] == [
        ("created", None, "new"),
        ("assigned", "new", "assigned"),
        ("accepted", "assigned", "accepted"),
        ("transferred", "accepted", "assigned"),
        ("accepted", "assigned", "accepted"),
        ("started", "accepted", "in_progress"),
        ("cohandler_added", None, None),
        ("note", None, None),
        ("replied", "in_progress", "replied"),
        ("rated", None, None),
        ("reopened", "replied", "reopened"),
        ("started", "reopened", "in_progress"),
        ("replied", "in_progress", "replied"),
        ("rated", None, None),
        ("closed", "replied", "closed"),
    ]
    assert [e.actor for e in events][:4] == ["api_key:1", "system:routing", "h_zjj", "h_zjj"]
    assert events[3].reason == "路灯属交通运输局管理" and (events[10].reason or "").startswith("市民不满意")
    assert events[9].detail == {"rating": "不满意"} and events[13].detail == {"rating": "满意"}
    audited = s.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.object_type == "work_order", AuditEvent.object_id == str(wo.id)))
    assert audited == len(events)
    assert [c.role for c in serve.cohandlers_of(s, wo)] == ["lead", "co"]
    assert [r.public for r in serve.replies_of(s, wo, public_only=True)] == [True, True]
    assert serve.current_rating(s, wo).value == "满意"  # type: ignore[union-attr]

    [row] = compute_metrics(s, period="2019-11")
    assert (row.received, row.responded_in_time, row.resolved, row.rated, row.satisfied) == (1, 1, 1, 1, 1)
    assert row.response_rate == 1.0 and row.resolution_rate == 1.0 and row.satisfaction_rate == 1.0
    assert row.response_hours_median == pytest.approx(2.0)  # accepted after 2 h
    assert row.close_hours_median == pytest.approx(73.0)  # closed after 3 days 1 hour
    status = serve.sla_status(wo, T0 + timedelta(days=10))
    assert (status.response, status.close) == ("met", "met")


def test_when_an_action_is_not_allowed_in_the_status_then_transition_error_names_from_to_and_allowed(
    seeded: Session, users: dict[str, User]
) -> None:
    wo = serve.open_work_order(seeded, description="噪音扰民", category="环境保护", department_code="sthjj",
                               confidence=0.9, reason="clf")
    with pytest.raises(TransitionError, match=r"cannot reply .*'assigned' → 'replied'.*allowed from accepted"):
        serve.reply(seeded, wo, text="已处理", actor=users["h_env"])
    with pytest.raises(TransitionError, match="cannot close"):
        serve.close(seeded, wo, actor="system")
    with pytest.raises(TransitionError):
        serve.rate(seeded, wo.token, "满意")
    with pytest.raises(InputError, match="reason"):
        serve.return_to_dispatch(seeded, wo, actor=users["h_env"], reason=" ")
    serve.return_to_dispatch(seeded, wo, actor=users["h_env"], reason="不属于本部门")
    assert wo.status == "returned" and wo.lead_department_id is None
    assert wo in serve.list_work_orders(seeded, user=users["disp"], filters=serve.WorkOrderFilter(queue=True))
    assert serve.events_of(seeded, wo)[-1].reason == "不属于本部门"


def test_when_duplicates_are_merged_then_they_close_as_merged_and_show_the_main_reply(
    seeded: Session, users: dict[str, User]
) -> None:
    main = serve.open_work_order(seeded, description="K8县某路段积水", category="城乡建设", department_code="zjj")
    dup = serve.open_work_order(seeded, description="K8县某路段积水严重", category="城乡建设", department_code="zjj")
    serve.merge(seeded, dup, into=main, actor=users["disp"], reason="同一事项")
    assert (dup.status, dup.close_reason, dup.merged_into_id) == ("closed", "merged", main.id)
    with pytest.raises(TransitionError):
        serve.merge(seeded, main, into=dup, actor=users["disp"])  # would merge main into itself
    serve.accept(seeded, main, actor=users["h_zjj"])
    serve.reply(seeded, main, text="已排水", actor=users["h_zjj"])
    assert [r.text for r in serve.replies_of(seeded, dup, public_only=True)] == ["已排水"]
    assert "duplicate_merged" in [e.kind for e in serve.events_of(seeded, main)]
    [row] = compute_metrics(seeded)
    assert row.received == 1  # the duplicate is not a second request


def test_when_routing_is_unsure_then_the_case_waits_and_a_triage_decision_assigns_it(
    seeded: Session, make_message: Callable[..., Message]
) -> None:
    msg = make_message("小区门口的垃圾一直没人清运", title="垃圾清运")
    wo = serve.open_from_routing(seeded, msg.id, "sthjj", 0.41, "top-1 环境保护 0.41", threshold=0.8)
    assert (wo.status, wo.lead_department_id, wo.title) == ("new", None, "垃圾清运")
    assert serve.open_from_routing(seeded, msg.id, "sthjj", 0.95, "again") is wo  # one case per message
    on_triage_decision(seeded, message_id=msg.id, department_code="zjj", category="城乡建设", actor="disp",
                       reason="物业管理问题")
    assert (wo.status, wo.category, serve.department_of(seeded, wo).code) == (  # type: ignore[union-attr]
        "assigned", "城乡建设", "zjj")
    assert [e.kind for e in serve.events_of(seeded, wo)] == ["created", "categorised", "assigned"]


def test_when_two_dispatchers_assign_the_same_case_then_the_second_is_refused(db_url: str) -> None:
    maker = get_sessionmaker(db_url)
    with maker() as setup:
        serve.seed_departments(setup)
        wo_id = serve.open_work_order(setup, description="井盖缺失", category="城乡建设").id
        setup.commit()
    with maker() as first, maker() as second:
        stale = serve.get_work_order(first, wo_id)  # first dispatcher opened the case …
        fresh = serve.get_work_order(second, wo_id)
        serve.assign(second, fresh, department_code="zjj", actor="disp2")  # … second one was faster
        second.commit()
        first.commit()  # end the first read transaction as a web request would between page and action
        with pytest.raises(TransitionError, match="'assigned'"):
            serve.assign(first, stale, department_code="jtysj", actor="disp1")
        first.rollback()
    with maker() as check:
        assert serve.department_of(check, serve.get_work_order(check, wo_id)).code == "zjj"  # type: ignore[union-attr]
