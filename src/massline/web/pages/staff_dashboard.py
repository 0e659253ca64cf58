"""The department dashboard: 三率 (the service's metrics), volumes by category/district/month, overdue cases.

The 三率 come from ``massline.serve.metrics`` (one definition for pages, API and reports); the
volume series are plain counts of work orders grouped here, and the chart data is embedded in
the page as JSON (no second request) for the vendored ECharts to draw.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from massline.db.models.users import Department
from massline.db.models.workorders import WorkOrder
from massline.web.deps import SessionDep
from massline.web.pages.rendering import render
from massline.web.pages.security import PageUser, require_role
from massline.web.pages.services import ServiceUnavailable, lookup
from massline.web.pages.viewer import masker

router = APIRouter()
DASHBOARD_ROLES = ("administrator", "dispatcher", "handler", "analyst", "editor")
TOP_DISTRICTS = 15
MONTHS = 24


def _scope(stmt: Any, user: PageUser) -> Any:
    if user.role == "handler":
        return stmt.where(WorkOrder.lead_department_id == user.department_id)
    return stmt


def volumes(session: Session, user: PageUser) -> dict[str, Any]:
    """Counts per category, per district (top 15) and per month × category (last 24 months with data)."""
    by_cat = session.execute(_scope(select(WorkOrder.category, func.count()).group_by(WorkOrder.category), user))
    by_dist = session.execute(_scope(
        select(WorkOrder.district, func.count()).where(WorkOrder.district.is_not(None))
        .group_by(WorkOrder.district).order_by(func.count().desc()).limit(TOP_DISTRICTS), user))
    monthly: Counter[tuple[str, str]] = Counter()
    for created, category in session.execute(_scope(select(WorkOrder.created_at, WorkOrder.category), user)):
        if created is not None:
            monthly[(created.strftime("%Y-%m"), category or "未分类")] += 1
    months = sorted({m for m, _ in monthly})[-MONTHS:]
    categories = sorted({c for _, c in monthly})
    return {
        "category": [{"name": c or "未分类", "value": int(n)} for c, n in by_cat],
        "district": [{"name": d, "value": int(n)} for d, n in by_dist],
        "months": months,
        "series": [{"name": c, "data": [monthly[(m, c)] for m in months]} for c in categories],
    }


def overdue(session: Session, user: PageUser, limit: int = 20) -> list[dict[str, Any]]:
    """Open cases past a deadline, most late first (the SLA module decides what "late" is)."""
    now = datetime.now(UTC)
    stmt = _scope(
        select(WorkOrder, Department.name).outerjoin(Department, Department.id == WorkOrder.lead_department_id)
        .where(WorkOrder.status != "closed", WorkOrder.due_close_at.is_not(None), WorkOrder.due_close_at < now)
        .order_by(WorkOrder.due_close_at).limit(limit), user)
    mask = masker(user)
    out = []
    for wo, dep in session.execute(stmt):
        out.append({"id": wo.id, "title": mask(wo.title or wo.description[:40]), "department": dep,
                    "due": wo.due_close_at, "status": wo.status})
    return out


def three_rates(session: Session, user: PageUser) -> dict[str, Any] | None:
    """The 三率 from the serve metrics (None when not available)."""
    try:
        fn = lookup("massline.serve.metrics:three_rates", "massline.serve.metrics:summary")
    except ServiceUnavailable:
        return None
    department_id = user.department_id if user.role == "handler" else None
    result = fn(session, department_id=department_id)
    return result if isinstance(result, dict) else vars(result)


@router.get("/dashboard")
def dashboard(request: Request, session: SessionDep,
              user: Annotated[PageUser, Depends(require_role(*DASHBOARD_ROLES))]) -> Response:
    data = volumes(session, user)
    return render(request, "staff/dashboard.html", {
        "rates": three_rates(session, user),
        "chart_json": json.dumps(data, ensure_ascii=False).replace("</", "<\\/"),
        "total": sum(item["value"] for item in data["category"]),
        "overdue": overdue(session, user),
    })
