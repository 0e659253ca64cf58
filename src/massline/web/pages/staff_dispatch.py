"""Dispatcher pages beyond the case page: one-click decisions on queued cases, the overdue list.

The case page's actions (assign, accept, return, transfer, co-handle, priority, merge, start,
close, reopen) post to ``/staff/workorders/{id}/act`` in ``staff_cases``; the logic of all of
them is :mod:`massline.web.pages.dispatch`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from massline.web.deps import SessionDep
from massline.web.pages import cases, dispatch
from massline.web.pages.rendering import render
from massline.web.pages.security import PageUser, check_csrf, require_role
from massline.web.pages.staff_cases import ACTION_ERRORS, TRIAGE_ROLES, _actor
from massline.web.pages.viewer import masker

router = APIRouter()
#: Who sees the deadline list: dispatchers and administrators everything, handlers their department's.
DEADLINE_ROLES = ("administrator", "dispatcher", "handler")


@router.post("/triage/cases/{work_order_id}", dependencies=[Depends(check_csrf)])
def triage_case(request: Request, work_order_id: int, session: SessionDep,
                user: Annotated[PageUser, Depends(require_role(*TRIAGE_ROLES))],
                department: Annotated[str, Form()] = "") -> Response:
    """One click on a returned or unassigned case: assign it to the suggested (or picked) department."""
    ctx: dict[str, Any] = {"work_order_id": work_order_id, "error": None, "department_name": ""}
    try:
        wo = dispatch.assign_queued(session, work_order_id, department=department, actor=_actor(session, user))
        ctx["department_name"] = next((d.name for d in dispatch.department_choices(session)
                                       if d.id == wo.lead_department_id), department)
        session.commit()
    except ACTION_ERRORS as exc:
        session.rollback()
        ctx["error"] = dispatch.form_error("assign", exc)
    if request.headers.get("hx-request"):
        return render(request, "staff/_triage_case_done.html", ctx)  # htmx swaps only 2xx answers
    return RedirectResponse("/staff/triage", status_code=303)


@router.get("/overdue")
def overdue_page(request: Request, session: SessionDep,
                 user: Annotated[PageUser, Depends(require_role(*DEADLINE_ROLES))]) -> Response:
    """Overdue and due-soon cases the user may see, most late first, with where they escalate to."""
    rows = dispatch.deadline_rows(session, _actor(session, user), mask=masker(user))
    return render(request, "staff/overdue.html", {"rows": rows, "status_names": cases.STATUS_NAMES})
