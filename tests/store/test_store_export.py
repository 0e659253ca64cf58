"""``massline export messages``: every field, current results only, personal data masked, audited."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

import massline.cli.app  # noqa: F401  (importing it registers every command)
from massline.cli._apps import app
from massline.core.config import Settings
from massline.db.models.audit import AuditEvent
from massline.db.models.message import AnalysisResult
from massline.db.session import get_sessionmaker, session_scope
from massline.ingest.service import ingest_text
from massline.store.export import FIELDS, export_messages

PHONE = "13812345678"
TEXT = f"我家小区门口的路灯坏了半个月，晚上很黑，请尽快修理。联系电话{PHONE}。"


def _seed(settings: Settings) -> int:
    msg = ingest_text(settings, TEXT, title="路灯坏了", author="王五", external_id="ext-1")
    with session_scope(settings.resolved_database_url()) as s:
        s.add_all([
            AnalysisResult(message_id=msg.id, component="classify.old", version="0", key="category", value="交通运输",
                           confidence=0.4, reason="old", current=False),
            AnalysisResult(message_id=msg.id, component="classify.linear", version="3", key="category",
                           value="城乡建设", confidence=0.91, reason="top words: 路灯", current=True),
            AnalysisResult(message_id=msg.id, component="route.rules", version="1", key="department",
                           value="市城管局", confidence=0.8, reason="rule 路灯"),
        ])
    return msg.id


def test_when_exported_as_jsonl_then_each_message_has_every_field_and_current_results(settings: Settings) -> None:
    mid = _seed(settings)
    out = io.StringIO()

    count = export_messages(settings, out, fmt="jsonl")

    assert count == 1
    record = json.loads(out.getvalue().splitlines()[0])
    assert list(record) == list(FIELDS)
    assert (record["id"], record["source"], record["external_id"]) == (mid, "web form", "ext-1")
    assert (record["category"], record["confidence"], record["department"]) == ("城乡建设", 0.91, "市城管局")
    assert record["urgency"] is None and record["places"] is None
    assert record["results"]["category"] == {"value": "城乡建设", "confidence": 0.91, "component": "classify.linear",
                                             "version": "3", "reason": "top words: 路灯"}
    assert record["language"] == "zh" and record["received_at"].endswith("+00:00")
    assert record["title"] == "路灯坏了" and "路灯坏了半个月" in record["body"]
    assert PHONE not in record["body"] and PHONE not in record["original"]  # analyst: personal data masked
    assert record["author_ref"] and "王五" not in json.dumps(record, ensure_ascii=False)


def test_when_exported_as_csv_then_nested_fields_are_json(settings: Settings, tmp_path: Path) -> None:
    _seed(settings)
    target = tmp_path / "out.csv"
    runner = CliRunner()

    result = runner.invoke(app, ["--database-url", settings.resolved_database_url(), "--data-dir",
                                 str(settings.resolved_data_dir()), "export", "messages", "--format", "csv",
                                 "--output", str(target)])

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == 1 and list(rows[0]) == list(FIELDS)
    assert json.loads(rows[0]["results"])["department"]["value"] == "市城管局"
    assert isinstance(json.loads(rows[0]["flags"]), list) and rows[0]["duplicate_of"] == ""


def test_when_an_administrator_exports_then_an_audit_event_is_written(settings: Settings) -> None:
    _seed(settings)

    export_messages(settings, io.StringIO(), fmt="jsonl", role="administrator", actor="admin")
    export_messages(settings, io.StringIO(), fmt="jsonl", role="analyst", actor="ann")

    with get_sessionmaker(settings.resolved_database_url())() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "pii.raw_export")).all()
        assert [(e.actor, e.detail["role"], e.detail["count"]) for e in events] == [("admin", "administrator", 1)]
