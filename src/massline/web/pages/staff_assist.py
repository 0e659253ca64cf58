"""Help for the handler and the planner: reply checks while typing, similar past cases with a
"start from this reply" button, and the demand forecast chart.

Each route calls one serve-layer function (:mod:`massline.serve.replies.quality`,
:mod:`massline.serve.similar`, :mod:`massline.serve.forecast.service`); the page only masks and
renders. Case routes go through ``worklists.visible_work_order``, so department walls hold here
exactly as on the case page.
"""

from __future__ import annotations

import json
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from massline.core.errors import NotFoundError, PermissionDenied
from massline.db.models.message import AnalysisResult, Message
from massline.db.models.users import User
from massline.db.models.workorders import WorkOrder
from massline.privacy import find_pii, mask_text
from massline.serve.forecast.backtest import HORIZON
from massline.serve.forecast.service import LEVELS, SeriesForecast, db_events, forecast_events
from massline.serve.metrics import LOCAL_TZ
from massline.serve.replies.quality import check_reply
from massline.serve.sla import load_sla_rules
from massline.web.deps import SessionDep
from massline.web.pages import cases, worklists
from massline.web.pages.rendering import render
from massline.web.pages.security import PageUser, check_csrf, require_role
from massline.web.pages.similar import similar_cases
from massline.web.pages.viewer import masker
from massline.web.pages.walls import message_wall

router = APIRouter()
CASE_ROLES = ("administrator", "dispatcher", "handler", "analyst", "editor")
#: Demand planning is a centre-wide view: the roles that see every department's figures.
FORECAST_ROLES = ("administrator", "dispatcher", "analyst", "editor")
HISTORY = {"D": 56, "W": 26}

_forecasts: dict[tuple[Any, ...], list[SeriesForecast]] = {}
_lock = threading.Lock()


def _case(session: Session, user: PageUser, work_order_id: int) -> WorkOrder | None:
    actor = session.get(User, user.id)
    if actor is None:
        return None
    try:
        return worklists.visible_work_order(session, work_order_id, actor)
    except (NotFoundError, PermissionDenied):
        return None


def _not_found(request: Request) -> Response:
    return render(request, "error.html", {"status": 404, "message_id": "not_found"}, status_code=404)


@router.post("/workorders/{work_order_id}/quality", dependencies=[Depends(check_csrf)])
def reply_quality(request: Request, work_order_id: int, session: SessionDep,
                  user: Annotated[PageUser, Depends(require_role(*CASE_ROLES))],
                  text: Annotated[str, Form()] = "") -> Response:
    """HTMX: the personal-data check and the six quality checks of a draft reply against its message."""
    wo = _case(session, user, work_order_id)
    if wo is None:
        return _not_found(request)
    msg = session.get(Message, wo.message_id) if wo.message_id else None
    about = f"{msg.title or ''} {msg.body or ''}" if msg else f"{wo.title or ''} {wo.description}"
    asked = (msg.created_at or msg.received_at) if msg else wo.created_at
    context = worklists.pii_check(text, find_pii)
    calendar = load_sla_rules(session=session).calendar
    context["quality"] = check_reply(text, message=about, asked=asked,
                                     is_workday=calendar.is_working_day) if text.strip() else []
    return render(request, "staff/_reply_quality.html", context)


@router.get("/workorders/{work_order_id}/similar")
def similar_panel(request: Request, work_order_id: int, session: SessionDep,
                  user: Annotated[PageUser, Depends(require_role(*CASE_ROLES))]) -> Response:
    """HTMX: the five most similar answered cases, near duplicates and the viewer's department first."""
    wo = _case(session, user, work_order_id)
    if wo is None:
        return _not_found(request)
    msg = session.get(Message, wo.message_id) if wo.message_id else None
    items = similar_cases(session, msg, mask=masker(user), department_id=user.department_id,
                          wall=message_wall(user)) if msg else []
    actor = session.get(User, user.id)
    can_reply = bool(actor and worklists.can_reply(session, actor, wo))
    return render(request, "staff/_similar.html", {"wo": wo, "similar": items, "can_reply": can_reply,
                                                    "status_names": cases.STATUS_NAMES})


@router.get("/workorders/{work_order_id}/draft")
def draft_from(request: Request, work_order_id: int, session: SessionDep,
               user: Annotated[PageUser, Depends(require_role(*CASE_ROLES))],
               source: Annotated[int | None, Query(alias="from", ge=1, le=2**31 - 1)] = None) -> Response:
    """HTMX: the reply editor pre-filled with another case's public reply, personal data masked."""
    wo = _case(session, user, work_order_id)
    if wo is None or source is None:
        return _not_found(request)
    msg = session.get(Message, wo.message_id) if wo.message_id else None
    found = next((c for c in similar_cases(session, msg, mask=lambda t: t or "", department_id=user.department_id,
                                           limit=20, wall=message_wall(user))
                  if c.message_id == source), None) if msg else None
    if found is None:
        return _not_found(request)
    return render(request, "staff/_reply_textarea.html", {"wo": wo, "draft": mask_text(found.reply, "public")})


def _cached_forecasts(session: Session, by: str, freq: str) -> list[SeriesForecast]:
    count, newest = session.execute(select(func.count(Message.id), func.max(Message.id))).one()
    # a re-analysis changes categories and districts without adding messages: its newest result is in the key
    results = session.scalar(select(func.max(AnalysisResult.id)))
    key = (str(session.get_bind().engine.url), by, freq, count, newest, results)
    with _lock:
        hit = _forecasts.get(key)
    if hit is None:
        hit = forecast_events(list(db_events(session, by)), level=by, freq=freq, horizon=HORIZON[freq], tz=LOCAL_TZ)
        with _lock:
            _forecasts.clear()
            _forecasts[key] = hit
    return hit


@router.get("/forecast")
def forecast_page(request: Request, session: SessionDep,
                  user: Annotated[PageUser, Depends(require_role(*FORECAST_ROLES))],
                  by: Annotated[str, Query(pattern="^(total|category|district)$")] = "total",
                  freq: Annotated[str, Query(pattern="^[DW]$")] = "D",
                  key: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """Actuals and forecast with its 80 % interval for one series of a level (default: the total)."""
    results = _cached_forecasts(session, by, freq)
    chosen = next((r for r in results if r.key == key), results[0] if results else None)
    chart: dict[str, Any] = {}
    if chosen is not None:
        history = chosen.history[-HISTORY[freq]:]
        chart = {"periods": [h["period"] for h in history] + [v["period"] for v in chosen.values],
                 "actual": [h["count"] for h in history] + [None] * len(chosen.values),
                 "point": [None] * len(history) + [v["point"] for v in chosen.values],
                 "lo": [None] * len(history) + [v["lo"] for v in chosen.values],
                 "hi": [None] * len(history) + [v["hi"] for v in chosen.values]}
    return render(request, "staff/forecast.html", {
        "levels": LEVELS, "by": by, "freq": freq, "results": results, "chosen": chosen,
        "chart_json": json.dumps(chart, ensure_ascii=False).replace("</", "<\\/"),
    })
