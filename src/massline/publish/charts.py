"""Aggregate figures for the public charts: requests by category and month, topic shares over time,
response and resolution rates by department (:func:`massline.serve.metrics.compute_metrics`).

Only counts and rates leave this module — never a case, a text or a person. Month cells are in
Beijing time.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.db.models.message import Message
from massline.db.models.workorders import WorkOrder
from massline.serve.departments import list_departments
from massline.serve.metrics import LOCAL_TZ, TOTAL, compute_metrics
from massline.serve.sla import as_utc

TOP_TOPICS: Final = 6
MAX_MONTHS: Final = 24
OTHER: Final = "其他"


def public_chart_data(session: Session) -> dict[str, Any]:
    """``{months, categories, counts: {category: [per month]}, shares: {...%}, departments: [...]}``."""
    cells: Counter[tuple[str, str]] = Counter()
    totals: Counter[str] = Counter()
    stmt = (select(WorkOrder.category, WorkOrder.created_at, Message.created_at)
            .outerjoin(Message, Message.id == WorkOrder.message_id).where(WorkOrder.merged_into_id.is_(None)))
    for category, opened, written in session.execute(stmt):
        # when the citizen wrote (imported cases were opened long after); a naive message time is Beijing time
        when = (written if written.tzinfo else written.replace(tzinfo=LOCAL_TZ)) if written else as_utc(opened)
        month = when.astimezone(LOCAL_TZ).strftime("%Y-%m")
        name = category or OTHER
        cells[(name, month)] += 1
        totals[name] += 1
    months = sorted({m for _, m in cells})[-MAX_MONTHS:]
    top = [c for c, _ in totals.most_common(TOP_TOPICS)]
    counts: dict[str, list[int]] = {c: [cells[(c, m)] for m in months] for c in top}
    rest = [sum(cells[(c, m)] for c in totals if c not in top) for m in months]
    if any(rest):
        counts[OTHER] = [counts.get(OTHER, [0] * len(months))[i] + rest[i] for i in range(len(months))]
    month_totals = [sum(cells[(c, m)] for c in totals) for m in months]
    shares = {c: [round(100 * v / t, 1) if t else None for v, t in zip(vals, month_totals, strict=True)]
              for c, vals in counts.items()}
    names = {d.code: d.name for d in list_departments(session)}
    departments = [
        {"name": names.get(row.group, row.group), "received": row.received,
         "response_rate": None if row.response_rate is None else round(100 * row.response_rate, 1),
         "resolution_rate": None if row.resolution_rate is None else round(100 * row.resolution_rate, 1)}
        for row in compute_metrics(session, by="department") if row.group != TOTAL and row.received > 0
    ]
    return {"months": months, "categories": list(counts), "counts": counts, "shares": shares,
            "departments": departments, "total": sum(totals.values())}
