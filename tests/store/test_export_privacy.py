"""Exports mask every personal field (``meta.address``, flag texts and reasons, result reasons), and
CSV/XLSX cells never start a formula."""

from __future__ import annotations

import csv
import io
import json

from massline.core.config import Settings
from massline.db.models.message import AnalysisResult, Message
from massline.db.session import session_scope
from massline.ingest.service import ingest_text
from massline.serve.report import HEADER, to_csv
from massline.store.export import csv_cell, export_messages

PHONE = "13812345678"
ADDRESS = "芙蓉路88号3栋2单元"
NAME = "张三丰"


def test_when_exported_then_meta_flags_and_reasons_are_masked(settings: Settings) -> None:
    msg = ingest_text(settings, f"=HYPERLINK(\"http://evil\") 路灯坏了，联系人{NAME}，电话{PHONE}",
                      meta={"address": ADDRESS, "channel": "web", "nested": {"note": f"回电{PHONE}"}})
    with session_scope(settings.resolved_database_url()) as session:
        message = session.get(Message, msg.id)
        assert message is not None
        message.flags = [*message.flags, {"kind": "spam_line", "text": f"联系{PHONE}", "reason": f"我叫{NAME}"}]
        session.add(AnalysisResult(message_id=msg.id, component="analyze.category", version="1", key="category",
                                   value="城乡建设", confidence=0.9, reason=f"{NAME}(+0.4), 路灯(+0.3)", current=True))
    for role in ("analyst", "editor", None):
        out = io.StringIO()
        export_messages(settings, out, fmt="jsonl", role=role or "public")
        dumped = out.getvalue()
        record = json.loads(dumped)
        assert PHONE not in dumped and ADDRESS not in dumped and NAME not in dumped, role
        assert record["meta"]["channel"] == "web"  # non-personal values stay as they are
    out = io.StringIO()
    export_messages(settings, out, fmt="csv", role="analyst")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["body"].startswith("'=HYPERLINK") and rows[0]["original"].startswith("'=")


def test_formula_cells_are_neutralised() -> None:
    for text in ("=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(text) == "'" + text
    assert csv_cell("路灯") == "路灯" and csv_cell(-1.5) == -1.5 and csv_cell(None) == ""
    row = dict.fromkeys(HEADER) | {"group": "=evil", "name": "@x", "received": 1}
    assert "'=evil" in to_csv([row]) and "'@x" in to_csv([row])
