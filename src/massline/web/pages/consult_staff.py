"""Organiser pages: create a consultation, moderate submitted statements, recompute results on demand.

Moderation is reversible (answer-don't-erase): a rejected statement is kept with its reason
and can be accepted later. Only ``administrator`` and ``organiser`` may open these pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.responses import Response

from massline.consult import service
from massline.core.errors import InputError
from massline.db.models.consult import ConsultStatement
from massline.web.deps import SessionDep
from massline.web.pages.consult import consultation_or_404
from massline.web.pages.rendering import render
from massline.web.pages.security import PageUser, check_csrf, require_role

router = APIRouter(include_in_schema=False)
ORGANISER_ROLES = ("administrator", "organiser")
OrganiserDep = Annotated[PageUser, Depends(require_role(*ORGANISER_ROLES))]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _when(text: str, field: str) -> datetime | None:
    """A ``datetime-local`` form value, read as Beijing time."""
    if not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=SHANGHAI)
    except ValueError as exc:
        raise InputError("not a date and time (YYYY-MM-DDTHH:MM)", field=field) from exc


def _context(session: Any, **extra: Any) -> dict[str, Any]:
    pending = list(session.scalars(select(ConsultStatement).where(ConsultStatement.status == "pending")
                                   .order_by(ConsultStatement.id)))
    return {"items": service.list_consultations(session), "pending": pending, "error": "", **extra}


@router.get("/staff/consult")
def organiser_page(request: Request, session: SessionDep, user: OrganiserDep) -> Response:
    return render(request, "consult/staff.html", _context(session))


@router.post("/staff/consult", dependencies=[Depends(check_csrf)])
async def create(request: Request, session: SessionDep, user: OrganiserDep) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        c = service.create_consultation(
            session, title=form.get("title", ""), question=form.get("question", ""),
            background_md=form.get("background_md", ""), moderation=form.get("moderation", "post"),
            opens_at=_when(form.get("opens_at", ""), "opens_at"),
            closes_at=_when(form.get("closes_at", ""), "closes_at"),
            languages=[x for x in ("zh", "en") if form.get(f"lang_{x}")] or ["zh"],
            seeds=form.get("seeds", "").splitlines(), created_by=user.username)
    except InputError as exc:
        return render(request, "consult/staff.html", _context(session, error=str(exc), form=form), status_code=422)
    return RedirectResponse(f"/consult/{c.slug}", status_code=303)


@router.post("/staff/consult/statement/{statement_id}", dependencies=[Depends(check_csrf)])
async def moderate(request: Request, statement_id: int, session: SessionDep, user: OrganiserDep) -> Response:
    form = await request.form()
    st = session.get(ConsultStatement, statement_id)
    if st is None:
        return render(request, "consult/staff.html", _context(session, error="statement_id: not found"),
                      status_code=404)
    try:
        service.moderate(session, st, str(form.get("status", "")), str(form.get("reason", "")))
    except InputError as exc:
        return render(request, "consult/staff.html", _context(session, error=str(exc)), status_code=422)
    return RedirectResponse("/staff/consult", status_code=303)


@router.post("/staff/consult/{slug}/recompute", dependencies=[Depends(check_csrf)])
def recompute(slug: str, session: SessionDep, user: OrganiserDep) -> Response:
    service.results(session, consultation_or_404(session, slug), refresh=True)
    return RedirectResponse(f"/consult/{slug}/results", status_code=303)
