"""Public consultation pages: read the question, vote one statement at a time, add a statement, see results.

Why a separate cookie: participation is pseudonymous — a random token in ``massline_consult``
(HttpOnly, SameSite=Lax) identifies the participant; only its hash is stored. A logged-in staff
user is additionally linked (optional verified login). Results and exports are aggregate only.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from markdown_it import MarkdownIt
from markupsafe import Markup
from starlette.responses import Response

from massline.consult import service
from massline.consult.report import export_rows, xlsx_bytes
from massline.core.errors import InputError, NotFoundError
from massline.db.models.consult import Consultation
from massline.privacy import mask_text
from massline.web.deps import SessionDep
from massline.web.pages.rendering import gettext_for, render
from massline.web.pages.security import check_csrf, session_user

router = APIRouter(include_in_schema=False)
COOKIE = "massline_consult"
_MD = MarkdownIt("commonmark", {"html": False})


class UnknownConsultation(Exception):
    """An unknown slug: answered with the 404 page (installed by :func:`setup`), never a 500."""


def setup(app: FastAPI) -> None:
    @app.exception_handler(UnknownConsultation)
    async def _not_found(request: Request, exc: UnknownConsultation) -> Response:
        return render(request, "error.html", {"status": 404, "message_id": "not_found"}, status_code=404)


def consultation_or_404(session: Any, slug: str) -> Consultation:
    try:
        return service.get_consultation(session, slug)
    except NotFoundError as exc:
        raise UnknownConsultation(slug) from exc


def _participant(request: Request, session: Any, c: Consultation) -> tuple[Any, str | None]:
    """The participant of this browser; a new token is returned when the cookie must be set."""
    token = request.cookies.get(COOKIE)
    fresh = None
    if not token:
        token = fresh = service.new_token()
    user = session_user(request)
    return service.participant(session, c, token, user_id=user.id if user else None), fresh


def _set_cookie(response: Response, token: str | None) -> Response:
    if token:
        response.set_cookie(COOKIE, token, max_age=3600 * 24 * 365, httponly=True, samesite="lax")
    return response


def _page_context(request: Request, session: Any, c: Consultation, p: Any, **extra: Any) -> dict[str, Any]:
    st = service.next_statement(session, c, p)
    return {"c": c, "statement": st, "background": Markup(_MD.render(c.background_md or "")),
            "is_open": service.is_open(c), "text": mask_text(st.body, output="public") if st else "",
            **extra}


@router.get("/consult")
def consult_list(request: Request, session: SessionDep) -> Response:
    return render(request, "consult/list.html", {"items": service.list_consultations(session)})


@router.get("/consult/{slug}")
def consult_page(request: Request, slug: str, session: SessionDep) -> Response:
    c = consultation_or_404(session, slug)
    p, fresh = _participant(request, session, c)
    return _set_cookie(render(request, "consult/page.html", _page_context(request, session, c, p)), fresh)


@router.post("/consult/{slug}/vote", dependencies=[Depends(check_csrf)])
async def consult_vote(request: Request, slug: str, session: SessionDep) -> Response:
    c = consultation_or_404(session, slug)
    p, fresh = _participant(request, session, c)
    form = await request.form()
    error = ""
    try:
        sid = int(str(form.get("statement_id", "")))
        service.cast_vote(session, c, p, sid, str(form.get("vote", "")))
    except (InputError, ValueError) as exc:
        error = str(exc) if isinstance(exc, InputError) else "statement_id: not a number"
    ctx = _page_context(request, session, c, p, error=error)
    return _set_cookie(render(request, "consult/_card.html", ctx), fresh)


@router.post("/consult/{slug}/statement", dependencies=[Depends(check_csrf)])
async def consult_statement(request: Request, slug: str, session: SessionDep) -> Response:
    c = consultation_or_404(session, slug)
    p, fresh = _participant(request, session, c)
    form = await request.form()
    _ = gettext_for(request)
    try:
        st = service.submit_statement(session, c, p, str(form.get("body", "")))
        notice = _("谢谢！您的观点已提交，审核后展示。") if st.status == "pending" else _("谢谢！您的观点已加入。")
        ctx = {"c": c, "notice": notice, "error": ""}
    except InputError as exc:
        ctx = {"c": c, "notice": "", "error": str(exc), "body": str(form.get("body", ""))}
    return _set_cookie(render(request, "consult/_submit.html", ctx), fresh)


@router.get("/consult/{slug}/results")
def consult_results(request: Request, slug: str, session: SessionDep, refresh: int = 0) -> Response:
    c = consultation_or_404(session, slug)
    view = service.results_view(session, c, refresh=bool(refresh))
    return render(request, "consult/results.html", {"c": c, "v": view, "map": _map(view)})


@router.get("/consult/{slug}/report")
def consult_report(request: Request, slug: str, session: SessionDep) -> Response:
    c = consultation_or_404(session, slug)
    view = service.results_view(session, c)
    return render(request, "consult/report.html", {"c": c, "v": view, "map": _map(view),
                                                   "rows": export_rows(view)})


@router.get("/consult/{slug}/export.csv")
def consult_csv(slug: str, session: SessionDep) -> Response:
    view = service.results_view(session, consultation_or_404(session, slug))
    rows = export_rows(view)
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return Response(("\ufeff" + buf.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="consult-{slug}.csv"'})


@router.get("/consult/{slug}/export.xlsx")
def consult_xlsx(slug: str, session: SessionDep) -> Response:
    view = service.results_view(session, consultation_or_404(session, slug))
    return Response(xlsx_bytes(export_rows(view), view.consultation.attribution),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="consult-{slug}.xlsx"'})


def _map(view: service.ResultsView) -> dict[str, Any]:
    """SVG geometry of the opinion map: one shaded ellipse per group, scaled to a 400×300 box."""
    ell = view.ellipses
    if not ell:
        return {"ellipses": []}
    xs = [e["cx"] - e["rx"] for e in ell] + [e["cx"] + e["rx"] for e in ell]
    ys = [e["cy"] - e["rx"] for e in ell] + [e["cy"] + e["rx"] for e in ell]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-6)
    scale = 280.0 / span
    cx0, cy0 = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {"ellipses": [{**e, "x": 200 + (e["cx"] - cx0) * scale, "y": 150 - (e["cy"] - cy0) * scale,
                          "sx": max(e["rx"] * scale, 6), "sy": max(e["ry"] * scale, 6)} for e in ell]}
