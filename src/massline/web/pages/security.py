"""Sessions, CSRF and login for the pages.

The session is a cookie signed with the installation secret (Starlette's ``SessionMiddleware``,
itsdangerous underneath): it holds only the user's id and ``session_version``, the CSRF token
and the language — never a role, a department, a password or personal data. Every request
re-reads the user from the database (:func:`require_user`), so a deactivation or a role change
applies at once, and logout or a password change bumps ``session_version``, which kills every
older cookie (and bearer token). The cookie is ``Secure`` when ``MASSLINE_HTTPS=true``. Every
state-changing form carries the CSRF token (HTMX requests send it as the ``X-CSRF-Token``
header, set once on ``<body hx-headers>``).
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

from massline.db.models.users import User
from massline.web.deps import SessionDep

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
    """The user :func:`require_user` verified for this request (None on pages that need nobody)."""
    user = getattr(request.state, "page_user", None)
    return user if isinstance(user, PageUser) else None


def page_user(user: User) -> PageUser:
    return PageUser(id=user.id, username=user.username, role=user.role, department_id=user.department_id,
                    display_name=user.display_name or user.username)


def log_in(request: Request, user: User) -> None:
    """Start a fresh session for ``user`` (a new CSRF token too, so a pre-login token is useless)."""
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    request.session["user"] = {"id": user.id, "sv": user.session_version}
    request.session[CSRF_FIELD] = secrets.token_urlsafe(32)
    request.state.page_user = page_user(user)


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


def _live_user(request: Request, db: SessionDep) -> User | None:
    """The cookie's user if it still exists, is active and the cookie's session version is current."""
    cookie = request.scope.get("session")
    data = cookie.get("user") if cookie is not None else None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int) or not isinstance(data.get("sv"), int):
        return None
    user = db.get(User, data["id"])
    if user is None or not user.active or user.session_version != data["sv"] or user.role == "public":
        return None
    return user


def require_user(request: Request, db: SessionDep) -> PageUser:
    """The logged-in staff user, read from the database on every request (else: to the login page)."""
    user = _live_user(request, db)
    if user is None:
        if isinstance(request.scope.get("session"), dict) and "user" in request.session:
            log_out(request)  # a stale cookie: forget it
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    found = page_user(user)
    request.state.page_user = found
    return found


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
        settings = getattr(app.state, "settings", None)
        app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE,
                           same_site="lax", https_only=bool(getattr(settings, "https", False)), max_age=12 * 3600)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/staff/login"})
        return RedirectResponse(f"/staff/login?next={quote(exc.next_url)}", status_code=303)
