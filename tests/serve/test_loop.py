"""The processing loop through the real intake: every message ends as a case or in triage, once.

Messages come in as a 泰迪杯-style CSV through ``ingest_paths`` (not hand-built rows), are analysed
with the stand-in classifier and routed by ``massline.serve.process``.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from tests.analyze.conftest import FakeCategoryModel

from massline.analyze.routing import decide, triage_queue
from massline.core.config import Settings
from massline.db.models.message import Message
from massline.db.models.workorders import WorkOrder
from massline.db.session import get_sessionmaker, session_scope
from massline.ingest.service import ingest_paths
from massline.serve import seed_departments
from massline.serve.metrics import compute_metrics
from massline.serve.process import process_messages
from massline.serve.queries import case_records

CST = timezone(timedelta(hours=8))
HEADER = "留言编号,留言用户,留言主题,留言时间,留言详情,一级标签\n"
ROWS = (
    ("101", "A00001", "工地噪音", "2019/2/8 9:05:01", "A2区工地夜间施工噪音扰民，请处理", "环境保护"),
    ("102", "A00002", "拖欠工资", "2019-02-08 23:30:00", "某公司拖欠工资三个月", "劳动和社会保障"),
    ("103", "A00003", "物业收费", "2019/2/9 0:10:00", "小区物业乱收费，业主不满", "城乡建设"),
    ("104", "A00004", "公交线路", "2019/2/11 8:00:00", "请问公交什么时候开通", "交通运输"),
)


def _csv(tmp_path: Path, rows: tuple[tuple[str, ...], ...] = ROWS) -> Path:
    path = tmp_path / "fj2_small.csv"
    path.write_text(HEADER + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _configs() -> dict[str, dict[str, object]]:
    return {"analyze.category": {"model": FakeCategoryModel()}}


def _process(settings: Settings, tmp_path: Path) -> Settings:
    with session_scope(settings.resolved_database_url()) as session:
        seed_departments(session)
    ingest_paths(settings, [_csv(tmp_path)])
    process_messages(settings, configs=_configs())
    return settings


@pytest.fixture
def processed(settings: Settings, tmp_path: Path) -> Settings:
    return _process(settings, tmp_path)


def test_when_a_file_is_processed_then_every_message_is_a_case_or_in_triage_at_its_beijing_time(
    processed: Settings, session: Session
) -> None:
    messages = {m.external_id: m.id for m in session.scalars(select(Message))}
    cases = {r["external_id"]: r for r in case_records(session)}
    waiting = {item.external_id for item in triage_queue(session, limit=100)}
    assert set(messages) == set(cases) | waiting and not set(cases) & waiting
    assert waiting == {"103"}  # 物业 is unsure (0.55) → a dispatcher decides
    assert cases["101"]["department"] == "sthjj" and cases["101"]["status"] == "assigned"
    assert cases["101"]["created_at"] == "2019-02-08T09:05:01+08:00"  # 留言时间 read as Beijing time
    assert cases["102"]["created_at"] == "2019-02-08T23:30:00+08:00"
    wo = session.scalar(select(WorkOrder).where(WorkOrder.message_id == messages["101"]))
    assert wo is not None and wo.created_at == datetime(2019, 2, 8, 1, 5, 1, tzinfo=UTC)  # aware UTC on both DBs
    assert "生态环境局" in (wo.route_reason or "")  # the department by name, not its code

    again = process_messages(processed, only_new=False, configs=_configs())  # re-running opens nothing twice
    assert again.cases_opened == 0
    assert session.scalar(select(func.count(WorkOrder.id))) == 3
    session.add(WorkOrder(token="dup-token", message_id=wo.message_id, description="x"))
    with pytest.raises(IntegrityError):  # … and the database itself refuses a second case for a message
        session.flush()


def test_when_triage_is_decided_then_the_case_opens_at_the_message_time(processed: Settings,
                                                                       session: Session) -> None:
    item = triage_queue(session, limit=10)[0]
    decide(session, item.message_id, None, None, actor="disp", reason="物业收费")
    session.commit()
    wo = session.scalar(select(WorkOrder).where(WorkOrder.message_id == item.message_id))
    assert wo is not None and wo.status == "assigned"
    assert wo.created_at == datetime(2019, 2, 9, 0, 10, tzinfo=CST)
    assert triage_queue(session, limit=10) == []


def test_when_metrics_are_computed_then_sqlite_and_postgresql_agree_on_the_beijing_day(
    processed: Settings, session: Session
) -> None:
    # 102 was written at 23:30 Beijing time on 2019-02-08 (15:30 UTC): it belongs to February 8th, China time.
    rows = compute_metrics(session, by="month")
    feb = next(r for r in rows if r.group == "2019-02")
    assert feb.received == 3
    day = compute_metrics(session, start=datetime(2019, 2, 8, tzinfo=CST), end=datetime(2019, 2, 9, tzinfo=CST))
    assert day[0].received == 2


def test_when_two_dispatchers_confirm_one_triage_item_at_once_then_exactly_one_case(
    settings: Settings, db_url: str, tmp_path: Path
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("row-level concurrency is what PostgreSQL does; SQLite serialises writers")
    _process(settings, tmp_path)
    maker = get_sessionmaker(db_url)
    with maker() as s:
        message_id = triage_queue(s, limit=10)[0].message_id
    first_inserted = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with maker() as s:
                decide(s, message_id, None, None, actor="disp1")
                first_inserted.set()
                threading.Event().wait(0.5)  # hold the uncommitted case while the second dispatcher decides
                s.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            first_inserted.set()

    def second() -> None:
        try:
            first_inserted.wait(10)
            with maker() as s:
                decide(s, message_id, None, None, actor="disp2")  # blocks on the unique index, then sees the case
                s.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    with maker() as s:
        assert s.scalar(select(func.count(WorkOrder.id)).where(WorkOrder.message_id == message_id)) == 1
