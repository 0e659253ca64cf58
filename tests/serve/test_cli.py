"""The thin CLI wrappers: users, API keys, departments, reply import and the report in three formats."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

import massline.cli.app  # noqa: F401  (registers every command)
from massline.cli._apps import app
from massline.db.models.intake import Source
from massline.db.models.message import Message
from massline.db.session import session_scope

CST = timezone(timedelta(hours=8))


def run(url: str, *args: str) -> str:
    result = CliRunner().invoke(app, ["--database-url", url, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_when_admin_commands_run_then_users_keys_and_departments_exist(sqlite_url: str) -> None:
    assert "departments created" in run(sqlite_url, "users", "departments", "seed")
    out = run(sqlite_url, "users", "create", "alice", "--role", "handler", "--department", "zjj")
    assert "password (shown once)" in out
    bad = CliRunner().invoke(app, ["--database-url", sqlite_url, "users", "create", "bob", "--role", "boss"])
    assert bad.exit_code == 2 and "role" in bad.output
    key = run(sqlite_url, "users", "api-key", "create", "city app").strip().splitlines()[-1]
    assert key.startswith("ml_")
    assert "revoked" in run(sqlite_url, "users", "api-key", "revoke", key[:10])
    assert "alice" in run(sqlite_url, "users", "list")


def test_when_replies_are_imported_then_report_prints_table_csv_and_xlsx(sqlite_url: str, tmp_path: Path) -> None:
    with session_scope(sqlite_url) as session:
        source = Source(name="fj4", kind="file")
        session.add(source)
        session.flush()
        for day, hours, label in ((4, 6, "城乡建设"), (5, 48, "城乡建设"), (6, 3, "交通运输")):
            asked = datetime(2019, 11, day, 9, tzinfo=CST)
            session.add(Message(source_id=source.id, body=f"留言{day}", original=f"留言{day}", created_at=asked,
                                meta={"label": label, "reply": "已处理",
                                      "reply_time": (asked + timedelta(hours=hours)).isoformat()}))
    assert "3 work orders created" in run(sqlite_url, "workorders", "import-replies")
    table = run(sqlite_url, "report", "--period", "2019-11", "--by", "category")
    assert "城乡建设" in table and "66.7%" in table  # 2 of 3 answered within one working day
    rows = list(csv.DictReader(io.StringIO(run(sqlite_url, "report", "--period", "2019-11", "--format", "csv"))))
    assert rows[0]["received"] == "3" and float(rows[0]["response_rate"]) == 2 / 3
    out = tmp_path / "r.xlsx"
    run(sqlite_url, "report", "--period", "2019-11", "--by", "department", "--format", "xlsx", "--output", str(out))
    sheet = load_workbook(out).active
    assert sheet is not None and sheet.cell(1, 1).value == "分组" and sheet.max_row == 4  # header, zjj, jtysj, 全部
    assert "open cases" in run(sqlite_url, "workorders", "overdue")


def test_a_new_installations_first_command_creates_its_schema(tmp_path: Path) -> None:
    """``massline users create admin`` in an empty data directory — a centre setting up without the
    demo — brings the schema up to date first instead of failing with "no such table"."""
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "users", "create", "admin", "--role",
                                      "administrator"])
    assert result.exit_code == 0, result.output
    assert "admin" in result.output and (tmp_path / "massline.db").exists()
    listed = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "users", "list"])
    assert listed.exit_code == 0 and "admin" in listed.output
