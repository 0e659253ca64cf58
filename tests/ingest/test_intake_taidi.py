"""The 泰迪杯 files: every row stored (ids stable), re-ingest adds nothing, a broken row is reported."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.ingest.intake_helpers import TAIDI, read_csv_rows, write_csv

from massline.core.config import Settings
from massline.db.models.intake import Quarantine, RawItem
from massline.db.models.message import Message
from massline.db.session import get_sessionmaker
from massline.ingest.service import ingest_paths

FULL = ["fj2_train.csv", "fj3_hot_messages_full.csv", "fj4_messages_with_replies_full.csv"]


def _count(session: Session, model: type, *where: object) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def test_when_all_four_taidi_files_ingested_then_every_row_is_stored_once(sqlite_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=sqlite_url, data_dir=tmp_path / "d", secret_key="s")
    paths = [TAIDI / f for f in FULL] + [TAIDI / "sample_fj2_495.xlsx"]
    expected = {str(TAIDI / f): len(read_csv_rows(TAIDI / f)[1]) for f in FULL}
    expected[str(TAIDI / "sample_fj2_495.xlsx")] = 495

    report = ingest_paths(settings, paths)

    assert report.ok and not report.problems
    by_origin = {f.origin: f for f in report.files}
    for origin, rows in expected.items():
        assert by_origin[origin].read == rows and by_origin[origin].new == rows, origin
    assert by_origin[str(TAIDI / "sample_fj2_495.xlsx")].profile == "taidi"
    total = sum(expected.values())
    with get_sessionmaker(sqlite_url)() as s:
        assert _count(s, Message) == total
        parents = {}
        for origin, rows in expected.items():
            parent = s.scalars(select(RawItem).where(RawItem.origin == origin, RawItem.parent_id.is_(None))).one()
            assert _count(s, RawItem, RawItem.parent_id == parent.id) == rows
            parents[origin] = parent.id
        # rows without 留言编号 (附件2 reconstruction) get a stable content id
        assert _count(s, Message, Message.external_id.like("h:%")) == 3226
        # the official sample repeats 留言编号 37042: both rows are kept
        xlsx_rows = select(RawItem.id).where(RawItem.parent_id == parents[str(TAIDI / "sample_fj2_495.xlsx")])
        assert _count(s, Message, Message.external_id == "37042", Message.raw_item_id.in_(xlsx_rows)) == 2
        fj3 = s.scalars(select(Message).where(Message.external_id == "188006")).one()
        assert fj3.meta["likes"] == 0 and fj3.meta["dislikes"] == 0
        assert fj3.author_ref and re.fullmatch(r"[0-9a-f]{64}", fj3.author_ref)
        assert fj3.created_at is not None and fj3.original.startswith("\n\t")
        fj4 = s.scalars(select(Message).where(Message.external_id == "2549")).one()
        assert fj4.meta["reply_time"] == "2019-05-10T14:56:53+08:00" and fj4.meta["reply"].startswith("现将网友")
        assert s.scalar(select(func.count()).where(Message.author_ref == "A00045581")) == 0
        labelled = s.scalars(select(Message).where(Message.external_id == "24")).first()
        assert labelled is not None and labelled.meta["label"]  # 一级分类 in the official sample
        assert _count(s, Message, Message.duplicate_kind == "exact") > 0

    again = ingest_paths(settings, paths)

    assert again.ok and again.total("new") == 0 and again.total("duplicate") == total
    with get_sessionmaker(sqlite_url)() as s:
        assert _count(s, Message) == total


def test_when_a_slice_is_ingested_twice_then_the_second_run_adds_nothing(
    settings: Settings, taidi_slice: Callable[[str, int], Path]
) -> None:
    paths = [taidi_slice("fj3_hot_messages_full.csv", 120), taidi_slice("fj4_messages_with_replies_full.csv", 80)]

    first = ingest_paths(settings, paths)
    second = ingest_paths(settings, paths)

    assert first.total("new") == 200 and first.total("quarantined") == 0
    assert second.total("new") == 0 and second.total("duplicate") == 200
    with get_sessionmaker(settings.resolved_database_url())() as s:
        assert _count(s, Message) == 200
        assert _count(s, RawItem) == 202  # two files + 200 rows


def test_when_a_copy_has_broken_rows_then_the_others_land_and_each_is_reported(
    settings: Settings, tmp_path: Path
) -> None:
    header, rows = read_csv_rows(TAIDI / "fj4_messages_with_replies_full.csv")
    rows = [list(r) for r in rows[:40]]
    rows[4][3] = "2019年13月45日"  # 留言时间: no such date → data row 5 = spreadsheet row 6
    rows[9][4] = "   "  # 留言详情 empty → row 11
    rows[14] = rows[14][:3]  # broken line: 3 fields of 7 → row 16
    path = write_csv(tmp_path / "broken_fj4.csv", header, rows)

    report = ingest_paths(settings, [path])

    assert report.ok
    f = report.files[0]
    assert (f.read, f.new, f.quarantined) == (40, 37, 3)
    problems = {p.locator: p for p in report.problems}
    assert set(problems) == {"row 6", "row 11", "row 16"}
    assert problems["row 6"].field == "留言时间" and "invalid date '2019年13月45日'" in problems["row 6"].reason
    assert problems["row 11"].field == "留言详情" and "empty" in problems["row 11"].reason
    assert "expected 7 fields, found 3" in problems["row 16"].reason
    assert all(p.origin == str(path) for p in problems.values())
    with get_sessionmaker(settings.resolved_database_url())() as s:
        rows_q = s.scalars(select(Quarantine).order_by(Quarantine.id)).all()
        assert {(q.origin, q.locator, q.field) for q in rows_q} == {
            (str(path), "row 6", "留言时间"), (str(path), "row 11", "留言详情"), (str(path), "row 16", None)}
        assert all(q.raw_item_id is not None for q in rows_q)

    again = ingest_paths(settings, [path])  # still broken: counted again, not stored twice

    assert again.files[0].new == 0 and again.files[0].quarantined == 3
    with get_sessionmaker(settings.resolved_database_url())() as s:
        assert [q.attempts for q in s.scalars(select(Quarantine).order_by(Quarantine.id))] == [2, 2, 2]
