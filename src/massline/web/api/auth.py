"""Staff API authentication: a signed bearer token from ``POST /api/auth/token``, or HTTP Basic.

Why itsdangerous and not JWT: the token is only ever read by this installation, so a
timestamped signature with the installation secret (``Settings.resolved_secret_key()``) is
all that is needed, with no algorithm choice to get wrong. The token carries the user id, a
fingerprint of the current password hash and the user's ``session_version``; the user, role
and department are read from the database on every call, so a password change, a logout, a
deactivation or a role change takes effect at once. Every login — token or Basic — goes
through :func:`massline.serve.accounts.authenticate`, which audits it without the password,
and through the shared login throttle (growing delays per address, pair and account; no
lockout of the real user — see :mod:`massline.security.throttle`).
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials, OAuth2PasswordBearer
from itsdangerous import BadSignature, URLSafeTimedSerializer

from massline.core.config import Settings
from massline.db.models.users import Department, User
from massline.security.throttle import LoginThrottle
from massline.serve.accounts import authenticate, end_sessions
from massline.web.api.schemas.users import TokenPublic, UserPublic
from massline.web.api.staff_errors import ERROR_RESPONSES, StaffRoute
from massline.web.deps import SessionDep, SettingsDep
from massline.web.throttling import client_address, login_throttle, retry_after_header

TAG = "auth"
TOKEN_TTL = 8 * 3600  # one working day
_SALT = "massline.api.token"
router = APIRouter(prefix="/api/auth", tags=[TAG], route_class=StaffRoute)

_bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)
_basic = HTTPBasic(auto_error=False)


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.resolved_secret_key(), salt=_SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def issue_token(settings: Settings, user: User) -> str:
    """A bearer token for ``user`` (valid :data:`TOKEN_TTL` seconds, until the password changes)."""
    return _serializer(settings).dumps({"uid": user.id, "pw": _fingerprint(user), "sv": user.session_version})


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail,
                         headers={"WWW-Authenticate": 'Bearer, Basic realm="massline"'})


def user_from_token(session: SessionDep, settings: Settings, token: str) -> User:
    try:
        data: Any = _serializer(settings).loads(token, max_age=TOKEN_TTL)
    except BadSignature:
        raise _unauthorized("invalid or expired token") from None
    user = session.get(User, data.get("uid")) if isinstance(data, dict) and isinstance(data.get("uid"), int) else None
    if (user is None or not user.active or data.get("pw") != _fingerprint(user)
            or data.get("sv") != user.session_version):
        raise _unauthorized("invalid or expired token")
    return user


def _refuse_if_throttled(throttle: LoginThrottle, username: str, address: str) -> None:
    wait = throttle.wait(username, address)
    if wait > 0:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                            detail=f"too many failed logins; retry in {wait:.0f} s", headers=retry_after_header(wait))


def _login(request: Request, session: SessionDep, username: str, password: str) -> User | None:
    """Throttled, audited password check; the staff user or None (the failure is counted)."""
    throttle, address = login_throttle(request), client_address(request)
    _refuse_if_throttled(throttle, username, address)
    user = authenticate(session, username=username, password=password)
    session.commit()  # keep the audit record of a failed attempt too (and free SQLite for the counters)
    if user is None or user.role == "public":
        throttle.failed(username, address)
        return None
    throttle.succeeded(username, address)
    return user


def current_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(_bearer)],
    basic: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
) -> User:
    """The authenticated staff user (401 otherwise); members of the public have no staff API."""
    if token:
        user = user_from_token(session, settings, token)
    elif basic is not None:
        found = _login(request, session, basic.username, basic.password)
        if found is None:
            raise _unauthorized("invalid username or password")
        user = found
    else:
        raise _unauthorized("not authenticated: send a bearer token (POST /api/auth/token) or HTTP Basic")
    if user.role == "public":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="the staff API is for staff roles")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def user_public(session: SessionDep, user: User) -> UserPublic:
    dep = session.get(Department, user.department_id) if user.department_id else None
    return UserPublic(id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                      department=dep.code if dep else None)


@router.post("/token", operation_id="auth-token", response_model=TokenPublic,
             responses={401: {"description": "Wrong username or password"}, 429: {"description": "Too many failures"}})
def token(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
) -> TokenPublic:
    """Log in with username and password (form fields, as OAuth2 password flow); audited.

    After repeated failures the next attempt from the same address answers 429 with
    ``Retry-After`` (growing delays, shared by every worker), without checking the password;
    another address with the right password is not delayed.
    """
    user = _login(request, session, username, password)
    if user is None:
        raise _unauthorized("invalid username or password")
    return TokenPublic(access_token=issue_token(settings, user), expires_in=TOKEN_TTL)


@router.get("/me", operation_id="auth-me", response_model=UserPublic, responses=ERROR_RESPONSES)
def me(session: SessionDep, user: CurrentUser) -> UserPublic:
    """Who the token belongs to (role and department decide what the other endpoints allow)."""
    return user_public(session, user)


@router.post("/logout", operation_id="auth-logout", status_code=204, responses=ERROR_RESPONSES)
def logout(session: SessionDep, user: CurrentUser) -> Response:
    """End every token and session cookie of the caller (``session_version`` is bumped)."""
    end_sessions(session, user, actor=user.username, reason="logout (api)")
    return Response(status_code=204)
