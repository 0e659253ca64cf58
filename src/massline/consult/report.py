"""Aggregate exports of a consultation's results (CSV/XLSX rows and the printable report).

One row per accepted statement: masked text, vote totals, each group's agree rate and size,
whether it is consensus / divisive / representative of a group. Never a participant id or an
individual's vote: a row is about a statement, and every number is a count over people.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook

if TYPE_CHECKING:
    from massline.consult.service import ResultsView


def export_rows(view: ResultsView) -> list[dict[str, Any]]:
    a = view.analysis
    g = a.groups
    sids = list(view.texts)
    consensus = {s.statement: s.direction for s in a.consensus}
    divisive = {s.statement for s in a.divisive}
    rep: dict[Any, list[str]] = {}
    for gi, reps in a.representative.items():
        for r in reps:
            rep.setdefault(r.statement, []).append(f"{gi + 1}:{r.direction}")
    rows = []
    for sid in sids:
        t = view.totals.get(sid, {})
        row: dict[str, Any] = {
            "statement_id": sid, "text": view.texts[sid],
            "agree": t.get("agree", 0), "disagree": t.get("disagree", 0), "pass": t.get("pass", 0),
        }
        if g is not None and a.stats is not None:
            j = a.column(sid)
            for gi in range(g.k):
                row[f"group_{gi + 1}_agree_rate"] = (round(float(a.stats.pa[gi, j]), 3) if j is not None else "")
        row["consensus"] = consensus.get(sid, "")
        row["divisive"] = "yes" if sid in divisive else ""
        row["representative_of"] = " ".join(rep.get(sid, []))
        rows.append(row)
    return rows


def xlsx_bytes(rows: list[dict[str, Any]], attribution: str = "") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "statements"
    if rows:
        ws.append(list(rows[0]))
        for r in rows:
            ws.append(list(r.values()))
    if attribution:
        ws.append([])
        ws.append([attribution])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
