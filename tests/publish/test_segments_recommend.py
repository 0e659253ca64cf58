"""k-anonymous segments (nothing below k can be seen or exported) and the recommender's ranking rule."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.core.errors import InputError
from massline.db.models.intake import Source
from massline.db.models.message import Message
from massline.db.models.publish import Subscription
from massline.db.models.users import User
from massline.publish import posts as svc
from massline.publish import recommend
from massline.publish.segments import MIN_K, audience_segments, k_anonymous, to_csv

cells = st.tuples(st.sampled_from(["A1区", "A2区", "A3区"]), st.sampled_from(["交通", "教育", "环境"]),
                  st.sampled_from(["留言", "订阅", "反馈"]))


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(st.tuples(cells, st.integers(0, 40)), max_size=300), st.integers(10, 15))
def test_no_shown_or_exported_cell_is_below_k(pairs: list[tuple[tuple[str, str, str], int]], k: int) -> None:
    table = k_anonymous(((cell, f"p{person}") for cell, person in pairs), k)
    assert all(row.people >= k for row in table.rows)
    exported = list(csv.DictReader(io.StringIO(to_csv(table))))
    assert all(int(r["people"]) >= k for r in exported)


def test_k_below_ten_is_refused() -> None:
    with pytest.raises(InputError):
        k_anonymous([], MIN_K - 1)
    with pytest.raises(ValueError):
        Settings(segment_k=5)


def test_segments_from_the_database_merge_and_suppress(session: Session, staff: dict[str, User]) -> None:
    source = Source(name="t", kind="file")
    session.add(source)
    session.flush()
    def msg(i: int, district: str, label: str) -> Message:
        return Message(source_id=source.id, body=f"{district}的问题{i}", original=f"{district}的问题{i}",
                       title=f"{district}问题", author_ref=f"ref{i}", meta={"label": label})
    session.add_all([msg(i, "A1区", "交通运输") for i in range(12)])  # 12 people: shown
    session.add_all([msg(100 + i, "A2区", "交通运输") for i in range(6)])  # 6 + 5 subscribers → merged 11
    session.add_all([Subscription(email=f"s{i}@example.org", topic="交通运输", district="A2区", status="active",
                                  token=f"tok{i}") for i in range(5)])
    session.add_all([msg(200 + i, "A3区", "教育文体") for i in range(3)])  # 3 people: suppressed
    session.flush()
    table = audience_segments(session, k=10)
    rows = {(r.district, r.topic, r.channel): r.people for r in table.rows}
    assert rows[("A1区", "交通运输", "留言")] == 12
    assert rows[("A2区", "交通运输", "其他渠道")] == 11
    assert not any(d == "A3区" for d, _, _ in rows) and table.suppressed_cells == 1
    assert "A3区" not in to_csv(table)
    ids = []
    for topic, district in (("教育文体", "A1区"), ("交通运输", "A1区"), ("交通运输", None)):
        post = svc.create_post(session, kind="notice", title=f"{topic}{district}", body="", actor=staff["ed1"],
                               topics=[topic], districts=[district] if district else [])
        svc.submit(session, post, actor=staff["ed1"])
        svc.approve(session, post, actor=staff["rev"])
        svc.publish(session, post, actor=staff["rev"])
        ids.append(post.id)
    picks = recommend.for_segments(session, table, now=datetime.now(UTC))
    assert picks["A1区"][0] == ids[1]  # A1区 people ask about 交通运输; the A1区 post on it comes first
    assert recommend.for_subscription(session, topic="教育文体", district="A1区", now=datetime.now(UTC))[0] == ids[0]


def test_ranker_prefers_the_segment_topic_then_recency() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    cands = [recommend.Candidate(1, ["教育文体"], ["A1区"], now - timedelta(days=1), 0),
             recommend.Candidate(2, ["交通运输"], ["A2区"], now - timedelta(days=1), 50),
             recommend.Candidate(3, ["交通运输"], ["A2区"], now - timedelta(days=60), 0)]
    picks = recommend.recommend_posts(cands, district="A2区", interest={"交通运输": 1.0}, now=now, n=3)
    assert picks[0] == 2 and picks.index(2) < picks.index(3)


def test_offline_evaluation_reports_baseline_in_the_same_run(tmp_path: Path) -> None:
    path = tmp_path / "fj.csv"
    rows = ["留言编号,留言用户,留言主题,留言时间,留言详情"]
    topics = {"A1区": ["公交线路", "地铁站点"], "A2区": ["学校招生", "幼儿园收费"], "A3区": ["噪音扰民", "垃圾清运"]}
    start = datetime(2019, 1, 1)
    for i in range(240):
        district = list(topics)[i % 3]
        word = topics[district][(i // 3) % 2]
        when = (start + timedelta(days=i)).strftime("%Y/%m/%d %H:%M:%S")
        rows.append(f"{i},U{i},{district}{word}问题,{when},{district}{word}")
    path.write_text("\n".join(rows), encoding="utf-8")
    result = recommend.evaluate([path])
    assert {"popularity_baseline", "simple", "learned", "ratio_vs_baseline"} <= set(result)
    assert result["simple"]["hit_rate@5"] >= result["popularity_baseline"]["hit_rate@5"]
    assert result["simple"]["ndcg@5"] > result["popularity_baseline"]["ndcg@5"]


def test_public_chart_data_counts_by_category_and_month_of_writing(session: Session) -> None:
    from massline.db.models.workorders import WorkOrder
    from massline.publish.charts import public_chart_data

    source = Source(name="c", kind="file")
    session.add(source)
    session.flush()
    from datetime import timezone

    written = datetime(2019, 6, 1, 7, 30, tzinfo=timezone(timedelta(hours=8)))  # as the intake writes it
    for i, category in enumerate(("交通运输", "交通运输", "教育文体")):
        m = Message(source_id=source.id, body=f"b{i}", original=f"b{i}", created_at=written)
        session.add(m)
        session.flush()
        session.add(WorkOrder(token=f"tok-{i}", message_id=m.id, category=category))
    session.flush()
    data = public_chart_data(session)
    assert data["months"] == ["2019-06"] and data["counts"]["交通运输"] == [2] and data["total"] == 3
    assert data["shares"]["教育文体"] == [33.3]
