"""Staff pages for acting on cases: the dispatcher's triage queue and the work-order page.

Every action calls the owning feature's service function (``massline.analyze.routing.decide``,
``massline.serve`` work-order functions) with the logged-in ``User`` as the actor, so permissions,
the state machine and the audit trail are the services' — the pages only collect the input.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from massline.core.errors import InputError, NotFoundError, PermissionDenied, TransitionError
from massline.db.models.users import User
from massline.web.deps import SessionDep
from massline.web.pages import cases, dispatch, worklists
from massline.web.pages.forms import services as category_choices
from massline.web.pages.rendering import render
from massline.web.pages.security import PageUser, check_csrf, require_role
from massline.web.pages.viewer import masker

router = APIRouter()
TRIAGE_ROLES = ("administrator", "dispatcher")
CASE_ROLES = ("administrator", "dispatcher", "handler", "analyst", "editor", "reviewer")
ACTION_ERRORS = (InputError, NotFoundError, PermissionDenied, TransitionError)


def _actor(session: Session, user: PageUser) -> User:
    actor = session.get(User, user.id)
    if actor is None or not actor.active:
        raise PermissionDenied(f"user {user.username!r} no longer exists or is disabled")
    return actor


@router.get("/triage")
def triage_page(request: Request, session: SessionDep,
                user: Annotated[PageUser, Depends(require_role(*TRIAGE_ROLES))]) -> Response:
    mask = masker(user)
    queued = dispatch.queued_cases(session, mask=mask)
    disputed = {c.message_id for c in queued if c.kind == "disagreement"}
    waiting = {c.message_id for c in queued}
    items = [i for i in worklists.triage_items(session, mask=mask) if i.message_id not in disputed]
    # a queued case whose message waits in the message list is decided there (one decision, one place)
    cases_ = [c for c in queued if c.kind != "unassigned" or not dispatch.message_in_triage(session, c.message_id)]
    return render(request, "staff/triage.html", {
        "items": items, "categories": category_choices(), "cases": cases_, "waiting": waiting,
        "departments": dispatch.department_choices(session), "queue_kinds": dispatch.QUEUE_KINDS})


@router.post("/triage/{message_id}", dependencies=[Depends(check_csrf)])
def triage_decide(request: Request, message_id: int, session: SessionDep,
                  user: Annotated[PageUser, Depends(require_role(*TRIAGE_ROLES))],
                  category: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "") -> Response:
    """Confirm the suggested route (category empty or unchanged) or change it to ``category``."""
    error: str | None = None
    work_order_id: int | None = None
    try:
        work_order_id = worklists.decide(session, message_id, category=category.strip() or None,
                                         actor=_actor(session, user), reason=reason.strip() or None)
        session.commit()
    except ACTION_ERRORS as exc:
        session.rollback()
        error = str(exc)
    ctx: dict[str, Any] = {"message_id": message_id, "error": error, "work_order_id": work_order_id,
                           "category": category}
    if request.headers.get("hx-request"):
        return render(request, "staff/_triage_done.html", ctx)  # htmx swaps only 2xx answers
    return RedirectResponse("/staff/triage", status_code=303)


@router.get("/workorders")
def workorders_page(request: Request, session: SessionDep,
                    user: Annotated[PageUser, Depends(require_role(*CASE_ROLES))], status: str = "") -> Response:
    rows = worklists.work_order_rows(session, user, status=status, mask=masker(user))
    return render(request, "staff/workorders.html", {"rows": rows, "status": status,
                                                      "status_names": cases.STATUS_NAMES})


def _case_context(session: Session, user: PageUser, work_order_id: int) -> dict[str, Any] | None:
    actor = _actor(session, user)
    try:
        worklists.visible_work_order(session, work_order_id, actor)
    except (NotFoundError, PermissionDenied):
        return None
    data = cases.staff_case(session, work_order_id)
    if data is None:
        return None
    mask = masker(user)
    wo = data["wo"]
    return {
        "wo": wo,
        "mask": mask,
        "title": mask(wo.title),
        "description": mask(wo.description),
        "events": data["events"],
        "replies": [(r, mask(r.text)) for r in data["replies"]],
        "ratings": data["ratings"],
        "sla": worklists.deadline_state(wo),
        "can_reply": worklists.can_reply(session, actor, wo),
        "status_names": cases.STATUS_NAMES,
        **dispatch.panel_context(session, actor, wo),
    }


@router.get("/workorders/{work_order_id}")
def workorder_page(request: Request, work_order_id: int, session: SessionDep,
                   user: Annotated[PageUser, Depends(require_role(*CASE_ROLES))]) -> Response:
    ctx = _case_context(session, user, work_order_id)
    if ctx is None:
        return render(request, "error.html", {"status": 404, "message_id": "not_found"}, status_code=404)
    return render(request, "staff/workorder.html", ctx)


@router.post("/workorders/{work_order_id}/reply", dependencies=[Depends(check_csrf)])
def reply(request: Request, work_order_id: int, session: SessionDep,
          user: Annotated[PageUser, Depends(require_role(*CASE_ROLES))],
          text: Annotated[str, Form()] = "", public: Annotated[str, Form()] = "") -> Response:
    error: str | None = None
    if not text.strip():
        error = "答复内容不能为空"
    else:
        try:
            worklists.reply(session, work_order_id, actor=_actor(session, user), text=text.strip(),
                            public=public == "yes")
            session.commit()
        except ACTION_ERRORS as exc:
            session.rollback()
            error = str(exc)
    return _after_action(request, session, user, work_order_id, error, draft=text if error else "")


@router.post("/workorders/{work_order_id}/act", dependencies=[Depends(check_csrf)])
def act(request: Request, work_order_id: int, session: SessionDep,
        user: Annotated[PageUser, Depends(require_role(*CASE_ROLES))],
        action: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
        department: Annotated[str, Form()] = "", priority: Annotated[str, Form()] = "",
        into: Annotated[str, Form()] = "") -> Response:
    """Any action of the dispatch panel (``dispatch.CASE_ACTIONS``); errors come back next to their field."""
    failed: dispatch.FormError | None = None
    try:
        dispatch.perform(session, work_order_id, action=action, actor=_actor(session, user),
                         form={"reason": reason, "department": department, "priority": priority, "into": into})
        session.commit()
    except ACTION_ERRORS as exc:
        session.rollback()
        failed = dispatch.form_error(action, exc)
    if failed is None and not request.headers.get("hx-request") and _case_context(session, user, work_order_id) is None:
        return RedirectResponse("/staff/workorders", status_code=303)  # returned / transferred away: not theirs now
    return _after_action(request, session, user, work_order_id, None, form_error=failed)


def _after_action(request: Request, session: Session, user: PageUser, work_order_id: int,
                  error: str | None, draft: str = "", form_error: dispatch.FormError | None = None) -> Response:
    if error is None and form_error is None and not request.headers.get("hx-request"):
        return RedirectResponse(f"/staff/workorders/{work_order_id}", status_code=303)
    ctx = _case_context(session, user, work_order_id)
    if ctx is None:
        return render(request, "error.html", {"status": 404, "message_id": "not_found"}, status_code=404)
    ctx.update({"error": error, "draft": draft, "form_error": form_error})
    failed = error is not None or form_error is not None
    return render(request, "staff/workorder.html", ctx, status_code=422 if failed else 200)


