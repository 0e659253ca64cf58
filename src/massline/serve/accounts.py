"""Staff users (argon2 password hashes) and Open311 API keys (SHA-256 of a random token, revocable).

Why two different hashes: a password is low-entropy and chosen by a person, so it gets a slow,
salted argon2 hash; an API key is 32 random bytes (256 bits), so a plain SHA-256 cannot be
reversed or brute-forced and lets us find the key by an indexed equality lookup on every
Open311 request (no installation secret needed, so the CLI and the web app always agree).

Nothing here logs or audits a secret: the audit detail carries the username/role or the key's
non-secret prefix only.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.errors import InputError, NotFoundError
from massline.db.base import utcnow
from massline.db.models.users import ApiKey, User
from massline.db.repositories.audit import record_audit
from massline.serve.departments import department_by_code
from massline.serve.roles import check_role

_HASHER = PasswordHasher()
API_KEY_PREFIX = "ml_"
#: an API key's ``last_used_at`` is at most this old (see :func:`verify_api_key`)
LAST_USED_PRECISION = timedelta(minutes=1)
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A random password for ``users create`` without ``--password`` (shown once)."""
    return secrets.token_urlsafe(12)


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    department_code: str | None = None,
    display_name: str | None = None,
    actor: str = "system",
) -> User:
    """A new user; handlers must belong to a department. Raises InputError on a bad field."""
    username = username.strip()
    if not username:
        raise InputError("must not be empty", field="username")
    check_role(role)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"must be at least {MIN_PASSWORD_LENGTH} characters", field="password")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InputError(f"user {username!r} already exists", field="username")
    if role == "handler" and not department_code:
        raise InputError("a handler needs a department", field="department")
    dep = department_by_code(session, department_code) if department_code else None
    user = User(username=username, password_hash=hash_password(password), role=role,
                department_id=dep.id if dep else None, display_name=display_name)
    session.add(user)
    session.flush()
    record_audit(session, actor=actor, action="admin.user_create", object_type="user", object_id=user.id,
                 detail={"username": username, "role": role, "department": department_code})
    return user


def set_password(session: Session, user: User, password: str, *, actor: str = "system") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"must be at least {MIN_PASSWORD_LENGTH} characters", field="password")
    user.password_hash = hash_password(password)
    user.session_version += 1  # every session and token issued with the old password ends
    record_audit(session, actor=actor, action="admin.user_password", object_type="user", object_id=user.id)


def end_sessions(session: Session, user: User, *, actor: str, reason: str = "logout") -> None:
    """End every session cookie and bearer token of ``user`` (logout, or an administrator's decision)."""
    user.session_version += 1
    record_audit(session, actor=actor, action="auth.logout", object_type="user", object_id=user.id,
                 detail={"reason": reason})


def set_active(session: Session, user: User, active: bool, *, actor: str = "system", reason: str | None = None) -> bool:
    """Deactivate (every session ends at once, logins refused) or reactivate a user; False when unchanged."""
    if user.active == active:
        return False
    user.active = active
    user.session_version += 1
    record_audit(session, actor=actor, action="admin.user_activate" if active else "admin.user_deactivate",
                 object_type="user", object_id=user.id, detail={"username": user.username}, reason=reason)
    return True


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The active user with these credentials, or None; every attempt is audited (without the password)."""
    user = session.scalar(select(User).where(User.username == username))
    ok = user is not None and user.active and verify_password(user.password_hash, password)
    record_audit(session, actor=username, action="auth.login" if ok else "auth.login_failed",
                 object_type="user", object_id=user.id if user else None)
    if not ok or user is None:
        return None
    user.last_login_at = utcnow()
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"user {username!r} does not exist")
    return user


def _key_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_api_key(session: Session, name: str, *, actor: str = "system") -> tuple[ApiKey, str]:
    """A new key for an Open311 client: (row, plaintext). The plaintext is never stored — show it once."""
    if not name.strip():
        raise InputError("must not be empty", field="name")
    plaintext = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name.strip(), prefix=plaintext[:10], key_hash=_key_hash(plaintext), created_by=actor)
    session.add(key)
    session.flush()
    record_audit(session, actor=actor, action="admin.api_key_create", object_type="api_key", object_id=key.id,
                 detail={"name": key.name, "prefix": key.prefix})
    return key, plaintext


def verify_api_key(session: Session, plaintext: str | None) -> ApiKey | None:
    """The live key matching ``plaintext``; None when unknown, empty or revoked.

    ``last_used_at`` is kept to the minute: writing it on every request locked the key's row from
    each POST's first write to its commit, so the POSTs of one client (a city app has one key)
    were serialised over that stretch however many web processes served them. Now only the
    requests of the moment the minute runs out write it.
    """
    if not plaintext:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == _key_hash(plaintext)))
    if key is None or key.revoked_at is not None:
        return None
    now = utcnow()
    if key.last_used_at is None or key.last_used_at < now - LAST_USED_PRECISION:
        key.last_used_at = now  # flushed with the request's first write, as before
    return key


def revoke_api_key(session: Session, key_id_or_prefix: int | str, *, actor: str = "system") -> ApiKey:
    """Revoke by id or by prefix (as ``api-key list`` shows it); idempotent."""
    if isinstance(key_id_or_prefix, int) or str(key_id_or_prefix).isdigit():
        key = session.get(ApiKey, int(key_id_or_prefix))
    else:
        key = session.scalar(select(ApiKey).where(ApiKey.prefix == str(key_id_or_prefix)))
    if key is None:
        raise NotFoundError(f"API key {key_id_or_prefix!r} does not exist")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record_audit(session, actor=actor, action="admin.api_key_revoke", object_type="api_key", object_id=key.id,
                     detail={"name": key.name, "prefix": key.prefix})
    return key


def list_api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))
