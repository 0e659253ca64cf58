"""The staff console: login, the inbox, one message (and the administrator's audited raw view).

The triage queue and work orders live in ``staff_cases``, the dashboard in ``staff_dashboard``;
their routers are included here so the app factory needs one module name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from massline.claims.desk import evidence_for_message
from massline.claims.evidence import VERDICTS
from massline.db.models.users import User
from massline.serve.accounts import authenticate, end_sessions
from massline.web.deps import SessionDep
from massline.web.pages import cases, queries, staff_assist, staff_cases, staff_dashboard, staff_dispatch, walls
from massline.web.pages.rendering import gettext_for, render
from massline.web.pages.security import PageUser, UserDep, check_csrf, log_in, log_out, require_role
from massline.web.pages.similar import similar_cases
from massline.web.pages.viewer import masker, raw_view
from massline.web.throttling import client_address, login_throttle

router = APIRouter(prefix="/staff", include_in_schema=False)
router.include_router(staff_cases.router)
router.include_router(staff_dashboard.router)
router.include_router(staff_dispatch.router)
router.include_router(staff_assist.router)

STAFF_ROLES = ("administrator", "dispatcher", "handler", "analyst", "editor", "reviewer")
#: Who may log in to the console: staff, plus consultation organisers (they only reach /staff/consult).
LOGIN_ROLES = (*STAFF_ROLES, "organiser")


@router.get("")
def staff_home() -> Response:
    return RedirectResponse("/staff/inbox", status_code=303)


@router.get("/login")
def login_page(request: Request, next: str = "/staff/inbox") -> Response:
    return render(request, "login.html", {"next_url": _safe_next(next)})


def _safe_next(target: str) -> str:
    """Only local staff paths: a login link must not bounce people to another site."""
    return target if target.startswith("/staff") and not target.startswith("//") else "/staff/inbox"


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/staff/inbox",
) -> Response:
    _ = gettext_for(request)
    name = username.strip()
    throttle, address = login_throttle(request), client_address(request)
    wait = throttle.wait(name, address)
    if wait > 0:  # growing delays after failures (shared by every worker); no password check meanwhile
        error = _("尝试次数过多，请 %(seconds)s 秒后再试", seconds=int(wait) + 1)
        return render(request, "login.html", {"next_url": _safe_next(next), "username": username, "error": error},
                      status_code=429)
    # ``authenticate`` audits every attempt (auth.login / auth.login_failed), never the password.
    user = authenticate(session, username=name, password=password) if name else None
    session.commit()
    if user is None or user.role not in LOGIN_ROLES:
        throttle.failed(name, address)
        return render(request, "login.html", {"next_url": _safe_next(next), "username": username,
                                              "error": _("用户名或密码不正确")}, status_code=401)
    throttle.succeeded(name, address)
    log_in(request, user)
    target = _safe_next(next)
    if user.role == "organiser" and not target.startswith("/staff/consult"):
        target = "/staff/consult"  # an organiser's only console page
    return RedirectResponse(target, status_code=303)


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request, session: SessionDep, user: UserDep) -> Response:
    """Log out: every session and token of this user ends (the cookie is worthless even if copied)."""
    found = session.get(User, user.id)
    if found is not None:
        end_sessions(session, found, actor=user.username, reason="logout (web)")
    log_out(request)
    return RedirectResponse("/staff/login", status_code=303)


def _date(value: str) -> datetime | None:
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d") if value.strip() else None
    except ValueError:
        return None


def _float(value: str) -> float | None:
    try:
        return float(value) if value.strip() else None
    except ValueError:
        return None


def _int(value: str, default: int = 1) -> int:
    return int(value) if value.strip().isdigit() else default


@router.get("/inbox")
def inbox(request: Request, session: SessionDep, user: Annotated[PageUser, Depends(require_role(*STAFF_ROLES))],
          q: str = "", source: str = "", category: str = "", district: str = "", status: str = "",
          date_from: str = "", date_to: str = "", confidence_max: str = "", confidence_min: str = "",
          page: str = "1") -> Response:
    filters = queries.InboxFilters(
        q=q.strip()[:100], source=source, category=category, district=district, status=status,
        date_from=_date(date_from), date_to=_date(date_to),
        confidence_max=_float(confidence_max), confidence_min=_float(confidence_min), page=_int(page),
    )
    result = queries.inbox_page(session, filters, mask=masker(user), wall=walls.message_wall(user))
    ctx: dict[str, Any] = {"result": result, "f": filters}
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "inbox-results":
        return render(request, "staff/_inbox_table.html", ctx)
    ctx["facets"] = queries.facet_values(session)
    return render(request, "staff/inbox.html", ctx)


def _message_context(session: Any, user: PageUser, message_id: int, mask: Any) -> dict[str, Any] | None:
    if not walls.may_see_message(session, user, message_id):
        return None  # behind the department wall: "not found", as for a missing id
    wall = walls.message_wall(user)
    found = queries.message_detail(session, message_id)
    if found is None:
        return None
    message, source_name, results = found
    return {
        "m": message,
        "mask": mask,
        "source_name": source_name,
        "original": mask(message.original),
        "original_title": mask(message.original_title),
        "cleaned": mask(message.body),
        "title": mask(message.title),
        "results": results,
        "current": [r for r in results if r.current],
        "history": [r for r in results if not r.current],
        "duplicates": [(d.id, mask(d.title or d.body[:40]))
                       for d in queries.duplicates_of(session, message, wall=wall)],
        "similar": similar_cases(session, message, mask=mask, wall=wall),
        "work_orders": cases.work_orders_of_message(session, message.id),
        "can_raw": user.role == "administrator",
        "status_names": cases.STATUS_NAMES,
        "claim_evidence": evidence_for_message(session, message.id),
        "verdict_names": VERDICTS,
    }


@router.get("/messages/{message_id}")
def message_page(request: Request, message_id: int, session: SessionDep,
                 user: Annotated[PageUser, Depends(require_role(*STAFF_ROLES))]) -> Response:
    ctx = _message_context(session, user, message_id, masker(user))
    if ctx is None:
        return render(request, "error.html", {"status": 404, "message_id": "not_found"}, status_code=404)
    return render(request, "staff/message.html", ctx)


@router.post("/messages/{message_id}/raw", dependencies=[Depends(check_csrf)])
def message_raw(request: Request, message_id: int, session: SessionDep,
                user: Annotated[PageUser, Depends(require_role("administrator"))],
                reason: Annotated[str, Form()] = "") -> Response:
    """The administrator's explicit, audited look at the unmasked text (a reason is required)."""
    if not reason.strip():
        ctx = _message_context(session, user, message_id, masker(user))
        if ctx is None:
            return render(request, "error.html", {"status": 404, "message_id": "not_found"}, status_code=404)
        ctx["raw_error"] = True
        return render(request, "staff/message.html", ctx, status_code=422)
    ctx = _message_context(session, user, message_id, raw_view(session, user, message_id, reason.strip()[:500]))
    if ctx is None:
        return render(request, "error.html", {"status": 404, "message_id": "not_found"}, status_code=404)
    ctx["raw"] = True
    return render(request, "staff/message.html", ctx)


__all__ = ["UserDep", "router"]
