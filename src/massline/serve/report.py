"""The metrics report as a table: header + rows, and writers for CSV and XLSX.

Kept apart from the CLI so the web app can offer the same downloads.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.db.models.users import Department
from massline.serve.metrics import MetricRow, compute_metrics
from massline.store.export import csv_cell

HEADER: Final = (
    "group", "name", "received", "responded_in_time", "response_rate", "resolved", "resolution_rate",
    "rated", "satisfied", "satisfaction_rate", "response_hours_median", "response_hours_p90",
    "close_hours_median", "close_hours_p90",
)
#: Chinese column titles for the printed table.
TITLES: Final = {
    "group": "分组", "name": "名称", "received": "受理", "responded_in_time": "按时响应", "response_rate": "响应率",
    "resolved": "办结", "resolution_rate": "解决率", "rated": "评价", "satisfied": "满意+基本满意",
    "satisfaction_rate": "满意率", "response_hours_median": "响应h中位", "response_hours_p90": "响应hP90",
    "close_hours_median": "办结h中位", "close_hours_p90": "办结hP90",
}


def report_rows(session: Session, *, period: str | None = None, by: str | None = None) -> list[dict[str, Any]]:
    """One dict per group (keys :data:`HEADER`); ``name`` is the department's name when grouping by department."""
    names: dict[str, str] = {}
    if by == "department":
        names = {code: name for code, name in session.execute(select(Department.code, Department.name))}
    out = []
    for row in compute_metrics(session, period=period, by=by):
        out.append(_as_dict(row, names.get(row.group, "")))
    return out


def _as_dict(row: MetricRow, name: str) -> dict[str, Any]:
    data = row.as_dict()
    data["name"] = name
    return {key: data[key] for key in HEADER}


def fmt_value(key: str, value: Any) -> str:
    """Human form: rates as percentages, hours with one decimal, missing as —."""
    if value is None:
        return "—"
    if key.endswith("_rate"):
        return f"{value * 100:.1f}%"
    if key.endswith(("_median", "_p90")):
        return f"{value:.1f}"
    return str(value)


def to_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(HEADER))
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)  # no formula cells
    return buf.getvalue()


def write_xlsx(rows: list[dict[str, Any]], path: Path, *, title: str = "metrics") -> None:
    from openpyxl import Workbook  # only to write xlsx: not at the start of every command

    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook always has one sheet
    ws.title = title[:31]
    ws.append([TITLES[k] for k in HEADER])
    for row in rows:
        ws.append([csv_cell(row[k]) if isinstance(row[k], str) else row[k] for k in HEADER])
    wb.save(path)
