"""The department dashboard: 三率, volumes by category / district / month, overdue cases.

All figures come from ``massline.serve.metrics.compute_metrics`` (one definition of "received",
"responded in time", "resolved", "satisfied" for the pages, the API and reports); the page only
arranges them. The chart data is embedded in the page as JSON (no second request) for the
vendored ECharts to draw. A handler's 三率 are their department's row and their overdue list is
their department's cases (lead or co-handler); the city-wide volume charts are not shown to a
handler (department walls: a handler's figures stop at their department).

The figures cover the whole archive, so they are computed at most once per
:data:`CACHE_SECONDS` per installation and scope (a dashboard a minute old is fine; four
metric queries on every page view are not). :func:`clear_cache` drops them.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from massline.db.models.users import Department
from massline.db.models.workorders import WorkOrder
from massline.serve.metrics import compute_metrics
from massline.serve.queries import handled_by
from massline.serve.sla import overdue_clause
from massline.web.deps import SessionDep
from massline.web.pages.cases import STATUS_NAMES
from massline.web.pages.rendering import render
from massline.web.pages.security import PageUser, require_role
from massline.web.pages.viewer import masker

router = APIRouter()
DASHBOARD_ROLES = ("administrator", "dispatcher", "handler", "analyst", "editor", "reviewer")
TOP_DISTRICTS = 15
MONTHS = 24
RATE_KEYS = ("response_rate", "resolution_rate", "satisfaction_rate")
CACHE_SECONDS = 60.0
_CACHE: dict[tuple[str, int | None], tuple[float, dict[str, Any], dict[str, Any] | None]] = {}
_LOCK = threading.Lock()


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


def cached_figures(session: Session, user: PageUser) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(chart data, 三率) for ``user``'s scope, recomputed when older than :data:`CACHE_SECONDS`."""
    key = (str(session.get_bind().engine.url), user.department_id if user.role == "handler" else None)
    now = time.monotonic()
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1], hit[2]
    # a handler is shown no city-wide charts (department walls), so they are not computed for one
    data = chart_data(session) if user.role != "handler" else {}
    rates = three_rates(session, user)
    with _LOCK:
        _CACHE[key] = (now, data, rates)
    return data, rates


def _scope(stmt: Any, user: PageUser) -> Any:
    if user.role == "handler":
        return stmt.where(handled_by(user.department_id))
    return stmt


def _rows(session: Session, by: str | None) -> list[Any]:
    return list(compute_metrics(session, by=by, with_total=False))


def chart_data(session: Session) -> dict[str, Any]:
    """Received cases per category, per district (top 15) and per month, with monthly rates."""
    by_category = sorted(_rows(session, "category"), key=lambda r: -r.received)
    by_district = sorted((r for r in _rows(session, "district") if r.group != "(unknown)"),
                         key=lambda r: -r.received)[:TOP_DISTRICTS]
    by_month = sorted(_rows(session, "month"), key=lambda r: r.group)[-MONTHS:]
    return {
        "category": [{"name": r.group, "value": r.received} for r in by_category],
        "district": [{"name": r.group, "value": r.received} for r in by_district],
        "months": [r.group for r in by_month],
        "received": [r.received for r in by_month],
        "rates": {key: [None if getattr(r, key) is None else round(100 * getattr(r, key), 1) for r in by_month]
                  for key in RATE_KEYS},
    }


def three_rates(session: Session, user: PageUser) -> dict[str, Any] | None:
    """The 三率 of the whole service, or of the handler's department."""
    if user.role == "handler":
        code = session.scalar(select(Department.code).where(Department.id == user.department_id))
        rows = [r for r in _rows(session, "department") if r.group == code]
    else:
        rows = _rows(session, None)
    if not rows:
        return {key: None for key in (*RATE_KEYS, "received")}
    row = rows[0]
    return {key: getattr(row, key) for key in (*RATE_KEYS, "received")}


def overdue(session: Session, user: PageUser, limit: int = 20) -> list[dict[str, Any]]:
    """Open cases past a deadline, most late first (the SLA module decides what "late" is)."""
    now = datetime.now(UTC)
    stmt = _scope(
        select(WorkOrder, Department.name).outerjoin(Department, Department.id == WorkOrder.lead_department_id)
        .where(overdue_clause(now))
        .order_by(WorkOrder.due_close_at).limit(limit), user)
    mask = masker(user)
    out = []
    for wo, dep in session.execute(stmt):
        out.append({"id": wo.id, "title": mask(wo.title or wo.description[:40]), "department": dep,
                    "due": wo.due_close_at, "status": wo.status})
    return out


@router.get("/dashboard")
def dashboard(request: Request, session: SessionDep,
              user: Annotated[PageUser, Depends(require_role(*DASHBOARD_ROLES))]) -> Response:
    data, rates = cached_figures(session, user)
    city_wide = user.role != "handler"  # a handler's figures stop at their department's wall
    return render(request, "staff/dashboard.html", {
        "rates": rates,
        "city_wide": city_wide,
        "chart_json": json.dumps(data if city_wide else {}, ensure_ascii=False).replace("</", "<\\/"),
        "total": sum(item["value"] for item in data["category"]) if city_wide else None,
        "overdue": overdue(session, user),
        "status_names": STATUS_NAMES,
    })
