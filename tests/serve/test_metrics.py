"""Metrics over imported 附件4-like replies match a computation by hand (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from massline import serve
from massline.db.models.message import AnalysisResult, Message
from massline.serve.history import import_replies
from massline.serve.metrics import compute_metrics, parse_period, percentile

# (留言时间, 答复时间, 一级分类) — China time. SLA: respond within 1 working day (weekends off).
ROWS = [
    ("2019-11-04 09:00", "2019-11-04 15:00", "城乡建设"),  # Mon, 6 h      due Tue 09:00 → in time
    ("2019-11-04 10:00", "2019-11-05 10:00", "城乡建设"),  # 24 h          due Tue 10:00 → in time (equal)
    ("2019-11-05 10:00", "2019-11-07 10:00", "城乡建设"),  # 48 h          due Wed 10:00 → late
    ("2019-11-08 18:00", "2019-11-11 12:00", "环境保护"),  # Fri, 66 h     due Mon 18:00 → in time
    ("2019-11-09 10:00", "2019-11-11 23:00", "环境保护"),  # Sat, 61 h     due Tue 00:00 → in time
    ("2019-11-12 08:00", "2019-11-20 08:00", "交通运输"),  # 192 h         late
    ("2019-11-13 09:30", "2019-11-13 10:00", "交通运输"),  # 0.5 h         in time
    ("2019-11-14 16:00", "2019-11-15 17:00", "教育文体"),  # 25 h          due Fri 16:00 → late
    ("2019-11-20 11:00", "2019-11-21 09:00", "教育文体"),  # 22 h          in time
    ("2019-10-31 10:00", "2019-11-01 09:00", "教育文体"),  # October: outside 2019-11
]


@pytest.fixture
def imported(seeded: Session, make_message: Callable[..., Message], cst: Callable[[str], datetime]) -> Session:
    for i, (asked, answered, label) in enumerate(ROWS):
        meta = {"label": label, "reply": f"网友：您好！第{i}号留言已处理。", "reply_time": cst(answered).isoformat()}
        make_message(f"留言{i}：A{i % 3 + 1}区的问题", created_at=cst(asked), meta=meta)
    make_message("没有答复的留言", created_at=cst("2019-11-06 10:00"), meta={"label": "城乡建设"})
    assert import_replies(seeded) == len(ROWS)
    assert import_replies(seeded) == 0  # idempotent
    return seeded


def test_when_replies_are_imported_then_rates_and_times_match_a_hand_computation(imported: Session) -> None:
    [total] = compute_metrics(imported, period="2019-11")
    assert (total.received, total.responded, total.responded_in_time, total.resolved) == (9, 9, 6, 9)
    assert total.response_rate == pytest.approx(6 / 9)
    assert total.resolution_rate == 1.0
    assert (total.rated, total.satisfaction_rate) == (0, None)  # 附件4 has no ratings
    # sorted hours: 0.5 6 22 24 25 48 61 66 192 → median 25; p90 at rank 7.2 = 66 + 0.2·126
    assert total.response_hours_median == pytest.approx(25.0)
    assert total.response_hours_p90 == pytest.approx(91.2)
    assert total.close_hours_median == pytest.approx(25.0)

    by_cat = {r.group: r for r in compute_metrics(imported, period="2019-11", by="category")}
    assert set(by_cat) == {"城乡建设", "环境保护", "交通运输", "教育文体", "全部"}
    assert (by_cat["城乡建设"].received, by_cat["城乡建设"].responded_in_time) == (3, 2)
    assert by_cat["城乡建设"].response_hours_median == pytest.approx(24.0)
    assert by_cat["环境保护"].response_rate == 1.0
    assert by_cat["环境保护"].response_hours_median == pytest.approx(63.5)
    assert by_cat["交通运输"].response_hours_median == pytest.approx(96.25)
    assert by_cat["教育文体"].response_rate == pytest.approx(0.5)

    by_month = {r.group: r.received for r in compute_metrics(imported, by="month")}
    assert by_month == {"2019-10": 1, "2019-11": 9, "全部": 10}
    by_dep = {r.group: r.received for r in compute_metrics(imported, period="2019-11", by="department")}
    assert by_dep == {"zjj": 3, "sthjj": 2, "jtysj": 2, "jyj": 2, "全部": 9}
    assert sum(r.received for r in compute_metrics(imported, period="2019-11", by="district")[:-1]) == 9


def test_when_imported_then_each_case_has_real_times_and_a_public_reply(imported: Session,
                                                                        cst: Callable[[str], datetime]) -> None:
    wo = serve.list_work_orders(imported, newest_first=False)[0]
    assert wo.status == "closed" and wo.source == "import" and wo.category == "教育文体"  # the October one
    assert wo.created_at == cst("2019-10-31 10:00") or wo.created_at.replace(tzinfo=None) == datetime(2019, 10, 31, 2)
    assert [e.kind for e in serve.events_of(imported, wo)] == ["created", "assigned", "replied", "closed"]
    assert serve.replies_of(imported, wo, public_only=True)[0].public_text


@pytest.mark.parametrize(("values", "q", "expected"), [
    ([], 0.5, None), ([3.0], 0.9, 3.0), ([1.0, 2.0], 0.5, 1.5), ([1.0, 2.0, 3.0, 4.0, 10.0], 0.9, 7.6),
])
def test_when_percentile_is_computed_then_it_interpolates_like_percentile_cont(
    values: list[float], q: float, expected: float | None
) -> None:
    assert percentile(values, q) == (pytest.approx(expected) if expected is not None else None)


def test_when_a_period_is_given_then_it_is_a_half_open_local_month() -> None:
    start, end = parse_period("2019-11")  # type: ignore[misc]
    assert (start.isoformat(), end.isoformat()) == ("2019-10-31T16:00:00+00:00", "2019-11-30T16:00:00+00:00")
    start, end = parse_period("2019-01..2019-12")  # type: ignore[misc]
    assert end.year == 2019 and end.month == 12 and start.month == 12  # 2018-12-31T16:00Z


def test_when_the_classifier_runs_after_the_import_then_a_rerun_fills_the_category(
    seeded: Session, make_message: Callable[..., Message], cst: Callable[[str], datetime]
) -> None:
    msg = make_message("公交车不按站停", created_at=cst("2019-11-04 09:00"),
                       meta={"reply": "已责令整改。", "reply_time": "2019-11-05T09:00:00+08:00"})
    assert import_replies(seeded) == 1
    [wo] = serve.list_work_orders(seeded)
    assert wo.category is None and wo.lead_department_id is None
    seeded.add(AnalysisResult(message_id=msg.id, component="analyze.category", version="test", key="category",
                              value="交通运输", confidence=0.9))
    assert import_replies(seeded) == 0
    assert wo.category == "交通运输" and serve.department_of(seeded, wo).code == "jtysj"  # type: ignore[union-attr]
    assert serve.events_of(seeded, wo)[-1].kind == "categorised"
