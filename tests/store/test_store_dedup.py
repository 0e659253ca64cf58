"""Duplicates are linked to their first occurrence: exact (whitespace-insensitive) and near (MinHash LSH)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from massline.core.config import Settings
from massline.db.models.message import Message
from massline.db.session import get_sessionmaker
from massline.ingest.service import ingest_paths
from massline.store.dedup import DuplicateIndex, content_hash, forget

BASE = ("尊敬的领导：我是幸福小区的业主，小区东门外的污水管道破裂已经两个多星期了，污水横流，臭气熏天，"
        "居民出行非常不便，多次向物业反映都没有解决，恳请有关部门尽快派人维修。")
NEAR = BASE.replace("两个多星期", "三个多星期")
OTHER = "学校门口的早餐摊占道经营，上下学时段交通拥堵，存在安全隐患，建议城管部门加强管理，规范经营秩序，保障学生安全。"


def test_when_texts_differ_only_in_whitespace_then_they_hash_the_same() -> None:
    assert content_hash(" 路灯 坏了\n\t") == content_hash("路灯坏了") is not None
    assert content_hash(" \n ") is None


def test_when_a_near_copy_is_checked_then_it_matches_the_first_and_others_do_not() -> None:
    index = DuplicateIndex(threshold=0.8)
    index.add(7, BASE)
    index.add(9, NEAR + "。")  # a later near copy indexed as well: the earliest must win

    near = index.find(NEAR)
    assert near is not None and near.message_id == 7 and near.kind == "near" and 0.8 <= near.similarity < 1
    exact = index.find("\n" + BASE.replace("，", "， "))
    assert exact is not None and (exact.message_id, exact.kind) == (7, "exact")
    assert index.find(OTHER) is None
    assert index.find("路灯坏了") is None  # too short for near, unseen for exact


def test_when_duplicates_arrive_in_a_later_run_then_they_link_to_the_stored_first_occurrence(
    settings: Settings, tmp_path: Path
) -> None:
    first = tmp_path / "a.csv"
    first.write_text(f"留言编号,留言详情\n1,{BASE}\n2,{OTHER}\n", encoding="utf-8")
    later = tmp_path / "b.csv"
    later.write_text(f"留言编号,留言详情\n3,\"{BASE[:20]}\n{BASE[20:]}\"\n4,{NEAR}\n5,{NEAR}\n", encoding="utf-8")
    url = settings.resolved_database_url()

    ingest_paths(settings, [first])
    forget(url)  # a new process: the index must be seeded from the database
    report = ingest_paths(settings, [later])

    # row 3 = row 1 up to whitespace; rows 4 and 5 are near copies of row 1 (5 equals 4, a non-root)
    assert (report.total("exact_duplicates"), report.total("near_duplicates")) == (1, 2)
    with get_sessionmaker(url)() as s:
        rows = {m.external_id: m for m in s.scalars(select(Message))}
    root = rows["1"].id
    assert rows["1"].duplicate_of is None and rows["2"].duplicate_of is None
    assert (rows["3"].duplicate_of, rows["3"].duplicate_kind) == (root, "exact")
    assert (rows["4"].duplicate_of, rows["4"].duplicate_kind) == (root, "near")
    assert rows["5"].duplicate_of == root  # linked to the first occurrence, not to message 4
    assert all(m.duplicate_of != m.id for m in rows.values())
