"""Sessions, CSRF and login for the pages.

The session is a cookie signed with the installation secret (Starlette's ``SessionMiddleware``,
itsdangerous underneath): it holds the user's id, name and role and the CSRF token, never a
password or personal data. Every state-changing form carries the CSRF token (HTMX requests send
it as the ``X-CSRF-Token`` header, set once on ``<body hx-headers>``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

SESSION_COOKIE = "massline_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True, slots=True)
class PageUser:
    """Who is logged in, as the session remembers it."""

    id: int
    username: str
    role: str
    department_id: int | None = None
    display_name: str = ""


class LoginRequired(Exception):
    """Raised by :func:`require_user` when nobody is logged in; answered with a redirect to the login page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


class CSRFError(Exception):
    """A form came without the session's CSRF token."""


class PageForbidden(Exception):
    """The logged-in user's role may not open this page (the API answers JSON; pages answer a page)."""


def session_user(request: Request) -> PageUser | None:
    session = request.scope.get("session")
    data = session.get("user") if session is not None else None
    if not isinstance(data, dict):
        return None
    return PageUser(
        id=int(data["id"]),
        username=str(data["username"]),
        role=str(data["role"]),
        department_id=data.get("department_id"),
        display_name=str(data.get("display_name") or data["username"]),
    )


def log_in(request: Request, user: PageUser) -> None:
    """Start a fresh session for ``user`` (a new CSRF token too, so a pre-login token is useless)."""
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    request.session["user"] = {
        "id": user.id,
        "username": user.username,
        "role": user.role,
        "department_id": user.department_id,
        "display_name": user.display_name,
    }
    request.session[CSRF_FIELD] = secrets.token_urlsafe(32)


def log_out(request: Request) -> None:
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang


def csrf_token(request: Request) -> str:
    session = request.scope.get("session")
    if session is None:
        return ""
    token = session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return str(token)


async def check_csrf(request: Request) -> None:
    """Dependency for POST routes: the form field or the HTMX header must equal the session's token."""
    expected = request.session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(str(expected), sent):
        raise CSRFError()


def require_user(request: Request) -> PageUser:
    user = session_user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


def require_role(*roles: str) -> Any:
    """Dependency factory: a logged-in user whose role is one of ``roles``."""

    def dependency(user: Annotated[PageUser, Depends(require_user)]) -> PageUser:
        if user.role not in roles:
            raise PageForbidden(user.role)
        return user

    return dependency


UserDep = Annotated[PageUser, Depends(require_user)]
CSRFDep = Depends(check_csrf)


def install(app: FastAPI, secret: str) -> None:
    """Add the session middleware (once) and the login redirect; the handlers that *render* an error page
    live in ``error_pages`` (this module must not import the renderer, which imports it)."""
    if getattr(app.state, "pages_security_installed", False):
        return
    app.state.pages_security_installed = True
    if not any(getattr(m, "cls", None) is SessionMiddleware for m in app.user_middleware):
        app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE,
                           same_site="lax", https_only=False, max_age=12 * 3600)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/staff/login"})
        return RedirectResponse(f"/staff/login?next={quote(exc.next_url)}", status_code=303)
