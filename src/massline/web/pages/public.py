"""The public portal (no login): submit a request, follow it by its token, read replies, rate.

``setup(app)`` also installs what every page needs: static files, the signed session cookie
and the page error handlers (the staff console relies on them too).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from massline.core.errors import InputError, NotFoundError, TransitionError
from massline.serve.lifecycle import rate as rate_case
from massline.serve.publication import CONSENT_TEXT
from massline.web.deps import SessionDep, SettingsDep, accept_requests
from massline.web.pages import cases
from massline.web.pages.error_pages import install_error_pages
from massline.web.pages.forms import FIELD_LABELS, PublicRequest, services, validate_public_request
from massline.web.pages.intake import submit_public_request
from massline.web.pages.rendering import STATIC_DIR, render
from massline.web.pages.security import check_csrf, install
from massline.web.throttling import client_address, rate_limit

router = APIRouter(include_in_schema=False)
RATINGS = ("满意", "基本满意", "不满意")


def setup(app: FastAPI) -> None:
    if not any(getattr(r, "path", None) == "/static" for r in app.routes):
        app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    install(app, app.state.settings.resolved_secret_key())
    install_error_pages(app)


def _form_context(form: Any) -> dict[str, Any]:
    return {"form": form, "services": services(), "labels": FIELD_LABELS, "consent_text": CONSENT_TEXT}


@router.get("/")
def request_page(request: Request) -> Response:
    return render(request, "public/request.html", _form_context(PublicRequest()))


@router.post("/request", dependencies=[Depends(check_csrf)])
async def submit_request(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    form = dict((await request.form()).items())
    req = validate_public_request(form)
    partial = bool(request.headers.get("hx-request"))
    template = "public/_request_form.html" if partial else "public/request.html"
    if not req.valid:  # htmx swaps only 2xx answers, so the partial carries the errors with 200
        return render(request, template, _form_context(req), status_code=200 if partial else 422)
    wait = rate_limit(request, "form", settings.form_rate_limit).hit(client_address(request))
    if wait is not None:  # each submission runs the whole pipeline: a shared per-address limit
        return render(request, "error.html", {"status": 429, "message_id": "rate_limited"}, status_code=429)
    wo = submit_public_request(session, req, settings=settings)
    token = wo.token
    accept_requests(request, session, settings, [wo.id])
    url = f"/track/{token}?new=1"
    if partial:
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


@router.get("/track")
def track_page(request: Request, token: str = "") -> Response:
    if token.strip():
        return RedirectResponse(f"/track/{token.strip()}", status_code=303)
    return render(request, "public/track.html", {"token": ""})


def _case_context(case: cases.PublicCase, **extra: Any) -> dict[str, Any]:
    return {"case": case, "status_names": cases.STATUS_NAMES, **extra}


@router.get("/track/{token}")
def case_page(request: Request, token: str, session: SessionDep, new: int = 0) -> Response:
    case = cases.public_case(session, token)
    if case is None:
        return render(request, "public/track.html", {"token": token, "not_found": True}, status_code=404)
    return render(request, "public/case.html", _case_context(case, new=bool(new)))


@router.post("/track/{token}/rate", dependencies=[Depends(check_csrf)])
async def rate(request: Request, token: str, session: SessionDep) -> Response:
    case = cases.public_case(session, token)
    if case is None:
        return render(request, "public/track.html", {"token": token, "not_found": True}, status_code=404)
    form = await request.form()
    value = str(form.get("value") or "")
    comment = str(form.get("comment") or "").strip()[:1000]
    template = "public/_rating.html" if request.headers.get("hx-request") else "public/case.html"
    if value not in RATINGS:
        ctx = _case_context(case, rating_error="请选择满意、基本满意或不满意")
        return render(request, template, ctx, status_code=200 if request.headers.get("hx-request") else 422)
    try:
        rate_case(session, token, value, comment or None)
    except (InputError, NotFoundError, TransitionError):
        session.rollback()
        return render(request, template, _case_context(case, rating_error="目前还不能评价"), status_code=422)
    session.commit()
    case.rating = value
    return render(request, template, _case_context(case, rated=True))
