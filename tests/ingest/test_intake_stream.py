"""A large CSV/JSONL file is streamed: kept verbatim in parts, read batch by batch, same messages.

Why: a million-row export must not be held in memory (the file, its records or a Python object
per row) — yet nothing may be lost and the messages must be those of the in-memory path.
``STREAM_ABOVE`` is lowered so a slice of 附件2 takes the streaming path.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.ingest.intake_helpers import TAIDI

from massline.core.config import Settings
from massline.db.models.intake import RawItem, RawItemPart
from massline.db.models.message import Message
from massline.db.session import get_sessionmaker
from massline.ingest import service
from massline.ingest.service import ingest_paths
from massline.store import raw as raw_store
from massline.store.raw import raw_content


def _messages(settings: Settings) -> list[tuple[str | None, str | None, str, object]]:
    with get_sessionmaker(settings.resolved_database_url())() as s:
        return [(m.external_id, m.title, m.body, m.duplicate_kind)
                for m in s.scalars(select(Message).order_by(Message.external_id))]


@pytest.mark.skipif(not TAIDI.is_dir(), reason="shared 泰迪杯 data not found")
def test_when_a_csv_is_above_the_stream_size_then_it_is_kept_in_parts_and_gives_the_same_messages(
    taidi_slice: Callable[[str, int], Path], settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = taidi_slice("fj2_train.csv", 1200)
    whole = Settings(database_url=f"sqlite:///{tmp_path}/whole.db", data_dir=tmp_path / "w", secret_key="test-secret")
    from massline.db.session import upgrade

    upgrade(whole.resolved_database_url())
    expected = ingest_paths(whole, [path]).files[0]

    monkeypatch.setattr(service, "STREAM_ABOVE", 1024)
    monkeypatch.setattr(raw_store, "PART_SIZE", 100_000)
    report = ingest_paths(settings, [path]).files[0]

    assert (report.read, report.new, report.quarantined, report.exact_duplicates, report.near_duplicates) == (
        expected.read, expected.new, expected.quarantined, expected.exact_duplicates, expected.near_duplicates)
    assert _messages(settings) == _messages(whole)
    with get_sessionmaker(settings.resolved_database_url())() as s:
        parent = s.scalars(select(RawItem).where(RawItem.parent_id.is_(None))).one()
        parts = s.scalars(select(RawItemPart.seq).where(RawItemPart.raw_item_id == parent.id)).all()
        data = b"".join(raw_content(s, parent))
        assert len(parts) > 1 and parent.content == b"" and parent.status == "processed"
        assert data == path.read_bytes() and parent.sha256 == hashlib.sha256(data).hexdigest()
    assert ingest_paths(settings, [path]).files[0].duplicate == report.new  # re-ingest adds nothing


def test_when_a_large_jsonl_has_bad_lines_then_they_are_quarantined_and_the_rest_streamed(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = [json.dumps({"title": f"第{i}条", "body": f"A市A{i % 9}区的路灯坏了，编号{i}，请尽快修理。"},
                        ensure_ascii=False) for i in range(1, 1201)]
    lines[10], lines[700] = "{not json", "[1, 2]"
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    monkeypatch.setattr(service, "STREAM_ABOVE", 1024)

    report = ingest_paths(settings, [path]).files[0]

    assert (report.read, report.new, report.quarantined) == (1200, 1198, 2)
    assert [p.locator for p in report.problems] == ["line 11", "line 701"]


def test_when_a_large_file_is_not_text_then_the_whole_input_is_quarantined_and_kept(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(b"\x00\x01\x02" * 2000)
    monkeypatch.setattr(service, "STREAM_ABOVE", 1024)

    report = ingest_paths(settings, [path]).files[0]

    assert (report.read, report.quarantined, report.new) == (1, 1, 0)
    assert "binary" in report.problems[0].reason
    with get_sessionmaker(settings.resolved_database_url())() as s:
        parent = s.scalars(select(RawItem)).one()
        assert parent.status == "quarantined" and b"".join(raw_content(s, parent)) == path.read_bytes()
