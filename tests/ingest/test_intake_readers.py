"""Readers and bad inputs: JSONL, RSS/Atom, HTML, text (the seed page), GBK, mapping, and junk."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.ingest.intake_helpers import TAIDI
from typer.testing import CliRunner

import massline.cli.app  # noqa: F401  (importing it registers every command)
from massline.cli._apps import app
from massline.core.config import Settings
from massline.core.errors import InputError
from massline.db.models.intake import Quarantine, RawItem
from massline.db.models.message import Message
from massline.db.session import get_sessionmaker
from massline.ingest.dates import parse_datetime
from massline.ingest.profiles import parse_mapping
from massline.ingest.service import ingest_paths

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "000_26c8609fec4c407e.txt"
BODY = "我家楼下的路灯坏了一个多月了，晚上出行很不方便，请尽快安排维修。"

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>问政</title><link>http://example.invalid/</link>
<item><guid>msg-1</guid><title>路灯坏了</title><link>http://example.invalid/1</link>
<pubDate>Tue, 10 Mar 2020 08:00:00 +0800</pubDate><description>{BODY}</description></item>
<item><guid>msg-2</guid><title>噪音扰民</title><link>http://example.invalid/2</link>
<description>夜间施工噪音很大，严重影响附近居民休息，希望相关部门管一管。</description></item>
</channel></rss>"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>留言板</title><id>urn:x</id><updated>2020-03-10T00:00:00Z</updated>
<entry><id>urn:entry:1</id><title>公交站牌缺失</title><updated>2020-03-10T09:30:00Z</updated>
<link href="http://example.invalid/a/1"/><content type="html">&lt;p&gt;{BODY}&lt;/p&gt;</content></entry>
</feed>"""


def _messages(settings: Settings) -> list[Message]:
    with get_sessionmaker(settings.resolved_database_url())() as s:
        return list(s.scalars(select(Message).order_by(Message.id)))


def test_when_jsonl_has_bad_lines_then_good_lines_land_and_bad_ones_are_reported(
    settings: Settings, tmp_path: Path
) -> None:
    lines = [
        json.dumps({"id": 1, "title": "路灯", "text": BODY, "date": "2020-03-10 08:00"}, ensure_ascii=False),
        "{not json",
        "[1, 2]",
        json.dumps({"id": 4, "text": 42}),
        json.dumps({"id": 5, "text": BODY + "!", "date": "yesterday"}, ensure_ascii=False),
        "",
        json.dumps({"id": 7, "text": "噪音扰民，请处理。", "likes": "3"}, ensure_ascii=False),
    ]
    path = tmp_path / "msgs.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")

    report = ingest_paths(settings, [path])

    f = report.files[0]
    assert (f.read, f.new, f.quarantined) == (6, 2, 4)
    problems = {p.locator: p for p in report.problems}
    assert problems["line 2"].reason.startswith("invalid JSON")
    assert problems["line 3"].reason == "expected a JSON object, found list"
    assert (problems["line 4"].field, problems["line 4"].reason) == ("text", "expected text, found int")
    assert problems["line 5"].field == "date" and "yesterday" in problems["line 5"].reason
    first, second = _messages(settings)
    assert (first.external_id, first.title, first.original) == ("1", "路灯", BODY)
    assert first.created_at is not None
    assert second.meta["fields"] == {"likes": "3"}


def test_when_rss_and_atom_feeds_are_read_then_each_entry_is_a_message(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "feed.rss").write_text(RSS, encoding="utf-8")
    (tmp_path / "feed.atom").write_text(ATOM, encoding="utf-8")

    report = ingest_paths(settings, [tmp_path / "feed.rss", tmp_path / "feed.atom"])

    assert [(f.format, f.new) for f in report.files] == [("feed", 2), ("feed", 1)]
    msgs = _messages(settings)
    assert [m.external_id for m in msgs] == ["msg-1", "msg-2", "urn:entry:1"]
    assert msgs[0].meta["url"] == "http://example.invalid/1"
    created = msgs[0].created_at
    assert created is not None
    assert created.replace(tzinfo=created.tzinfo or UTC) == datetime(2020, 3, 10, 0, 0, tzinfo=UTC)
    assert msgs[2].content_type == "text/html" and "<p>" not in msgs[2].body and "路灯" in msgs[2].body


def test_when_html_and_text_files_are_ingested_then_original_is_the_file_byte_for_byte(
    settings: Settings, tmp_path: Path
) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(f"<html><head><title>市民来信</title></head><body><p>{BODY}</p></body></html>\r\n".encode())

    report = ingest_paths(settings, [page, SEED])

    assert report.total("new") == 2
    html_msg, seed_msg = _messages(settings)
    assert html_msg.content_type == "text/html" and html_msg.original.encode("utf-8") == page.read_bytes()
    assert "路灯" in html_msg.body and "<p>" not in html_msg.body
    assert seed_msg.original.encode("utf-8") == SEED.read_bytes()
    assert seed_msg.title and "走好网上群众路线" in seed_msg.title
    assert "投注" not in seed_msg.body
    assert any(f["kind"] == "spam_line" for f in seed_msg.flags)
    with get_sessionmaker(settings.resolved_database_url())() as s:
        raw = s.get(RawItem, seed_msg.raw_item_id)
        assert raw is not None and raw.content == SEED.read_bytes() and raw.parent_id is None

    again = ingest_paths(settings, [page, SEED])

    assert again.total("new") == 0 and again.total("duplicate") == 2


def test_when_a_file_is_gbk_encoded_then_it_is_decoded_and_noted(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(BODY.encode("gbk"))
    csv_path = tmp_path / "gbk.csv"
    csv_path.write_bytes(f"留言编号,留言详情\n9,{BODY}\n".encode("gb18030"))

    report = ingest_paths(settings, [path, csv_path])

    assert report.total("new") == 2
    text_msg, csv_msg = _messages(settings)
    assert text_msg.original == BODY and text_msg.meta["encoding"] == "gb18030"
    assert csv_msg.external_id == "9" and csv_msg.original == BODY


def test_when_columns_are_mapped_then_they_become_fields(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "custom.csv"
    path.write_text(f"Betreff,Inhalt,楼层,x\n路灯,{BODY},3,y\n", encoding="utf-8")

    report = ingest_paths(settings, [path], mapping=parse_mapping(["Betreff=title", "Inhalt=body", "楼层=meta.floor"]))

    assert report.total("new") == 1
    (msg,) = _messages(settings)
    assert (msg.title, msg.meta["floor"], msg.meta["fields"]) == ("路灯", "3", {"x": "y"})
    assert msg.external_id is not None and msg.external_id.startswith("h:")


def test_when_a_mapping_is_malformed_then_the_error_names_it() -> None:
    with pytest.raises(InputError, match="not COLUMN=TARGET"):
        parse_mapping(["标题"])
    with pytest.raises(InputError, match="unknown target 'titel'"):
        parse_mapping(["标题=titel"])


def test_when_inputs_are_bad_then_each_is_quarantined_and_nothing_else_is_lost(
    settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "junk.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "truncated.xlsx").write_bytes((TAIDI / "sample_fj2_495.xlsx").read_bytes()[:40000])
    (tmp_path / "nothing.html").write_text("<html><body><script>var a=1;</script></body></html>", encoding="utf-8")
    huge = "很长的留言" * 300_000  # a 1.5-million-character cell on one line
    (tmp_path / "huge.csv").write_text(f"留言编号,留言详情\n1,{huge}\n2,{BODY}\n", encoding="utf-8")
    names = ["empty.txt", "junk.txt", "truncated.xlsx", "nothing.html", "huge.csv"]

    report = ingest_paths(settings, [tmp_path / n for n in names])

    by_name = {Path(f.origin).name: f for f in report.files}
    reasons = {Path(p.origin).name: p.reason for p in report.problems}
    assert "empty file" in reasons["empty.txt"]
    assert "binary content" in reasons["junk.txt"]
    assert "not a readable XLSX workbook" in reasons["truncated.xlsx"]
    assert "no text left after cleaning" in reasons["nothing.html"]
    assert by_name["huge.csv"].new == 2 and "huge.csv" not in reasons
    with get_sessionmaker(settings.resolved_database_url())() as s:
        stored = {Path(r.origin).name for r in s.scalars(select(RawItem).where(RawItem.parent_id.is_(None)))}
        assert stored == set(names)  # every input kept verbatim, even the unreadable ones
        assert s.scalar(select(func.count()).select_from(Quarantine)) == 4
        huge_msg = s.scalars(select(Message).where(Message.external_id == "1")).one()
        assert len(huge_msg.original) == len(huge)


def test_when_nothing_can_be_read_then_the_command_exits_non_zero(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    good = tmp_path / "good.csv"
    good.write_text(f"留言编号,留言详情\n1,{BODY}\n", encoding="utf-8")
    runner = CliRunner()
    base = ["--database-url", settings.resolved_database_url(), "--data-dir", str(tmp_path / "d")]

    bad = runner.invoke(app, [*base, "ingest", str(tmp_path / "empty.txt")])
    ok = runner.invoke(app, [*base, "ingest", str(tmp_path / "empty.txt"), str(good)])

    assert bad.exit_code == 1, bad.output
    assert ok.exit_code == 0, ok.output
    assert "quarantined" in ok.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019/2/28 11:25:05", datetime(2019, 2, 28, 11, 25, 5)),
        ("2019/2/8 9:05:01", datetime(2019, 2, 8, 9, 5, 1)),
        ("2017-06-08 17:31:20", datetime(2017, 6, 8, 17, 31, 20)),
        ("2019/5/10", datetime(2019, 5, 10)),
        ("2020年1月6日 12:09", datetime(2020, 1, 6, 12, 9)),
    ],
)
def test_when_taidi_dates_are_parsed_then_they_are_beijing_time(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected.replace(tzinfo=timezone(timedelta(hours=8)))


def test_when_a_date_is_not_a_date_then_the_error_names_the_value() -> None:
    with pytest.raises(ValueError, match="'soon'"):
        parse_datetime("soon")
    assert parse_datetime("") is None
    assert parse_datetime("2020-03-10T00:00:00Z") == datetime(2020, 3, 10, tzinfo=UTC)


def test_when_a_folder_is_given_then_its_files_are_ingested_and_bad_options_are_refused(
    settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(BODY, encoding="utf-8")
    (folder / "sub" / "b.jsonl").write_text(json.dumps({"text": "噪音扰民，请处理。"}, ensure_ascii=False), "utf-8")
    (folder / ".hidden.txt").write_text("不应读取", encoding="utf-8")
    runner = CliRunner()
    base = ["--database-url", settings.resolved_database_url(), "--data-dir", str(tmp_path / "d")]

    ok = runner.invoke(app, [*base, "ingest", str(folder)])
    bad_profile = runner.invoke(app, [*base, "ingest", "--profile", "nope", str(folder)])
    bad_map = runner.invoke(app, [*base, "ingest", "--map", "x", str(folder)])
    bad_url = runner.invoke(app, [*base, "fetch", str(folder)])

    assert ok.exit_code == 0, ok.output
    assert sorted(m.original for m in _messages(settings)) == sorted([BODY, "噪音扰民，请处理。"])
    assert bad_profile.exit_code == 2 and "unknown profile 'nope'" in bad_profile.output
    assert bad_map.exit_code == 2 and "not COLUMN=TARGET" in bad_map.output
    assert bad_url.exit_code == 2


def test_when_a_sheet_is_damaged_midway_then_the_rows_before_the_damage_land(
    settings: Settings, tmp_path: Path
) -> None:
    import io
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["留言编号", "留言详情"])
    for n in range(1, 201):
        sheet.append([n, f"第{n}条留言：{BODY}"])
    buf = io.BytesIO()
    book.save(buf)
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, zipfile.ZipFile(damaged, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, data[: len(data) // 2] if info.filename.endswith("sheet1.xml") else data)
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(damaged.getvalue())

    report = ingest_paths(settings, [path])

    f = report.files[0]
    assert 0 < f.new < 200 and f.quarantined == 1
    assert "workbook truncated or corrupt here" in report.problems[0].reason
    assert report.problems[0].locator == f"row {f.new + 2}"
