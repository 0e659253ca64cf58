"""Staff API for messages: masked for the caller's role; the verbatim text only via an audited call.

Messages are not yet cases of a department, so reading them is for the roles that work across
departments (administrator, dispatcher, analyst, editor); a handler reads their department's
cases through the work-order API instead. ``GET /api/messages/{id}/raw`` is for administrators,
needs a reason and writes a ``pii.raw_view`` audit event (:func:`massline.privacy.reveal_raw`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.core.errors import PermissionDenied
from massline.db.models.message import Message
from massline.db.models.users import User
from massline.privacy import reveal_raw
from massline.web.api.auth import CurrentUser
from massline.web.api.schemas.messages import MessagePage, MessagePublic, MessageRaw
from massline.web.api.staff_errors import ERROR_RESPONSES, RowId, StaffRoute
from massline.web.api.staff_queries import MessageFilter, get_message, list_messages
from massline.web.api.staff_views import staff_text
from massline.web.deps import SessionDep, SettingsDep

TAG = "messages"
READERS = frozenset({"administrator", "dispatcher", "analyst", "editor", "reviewer"})
router = APIRouter(prefix="/api/messages", tags=[TAG], route_class=StaffRoute, responses=ERROR_RESPONSES)


def _require_reader(user: User) -> None:
    if user.role not in READERS:
        raise PermissionDenied(f"user {user.username!r} (role {user.role}) may not read messages across departments; "
                               "use the work-order API")


def _public(settings: Settings, user: User, message: Message, source: str | None) -> MessagePublic:
    return MessagePublic(
        id=message.id, title=staff_text(settings, user, message.title) or None,
        body=staff_text(settings, user, message.body), source=source, external_id=message.external_id,
        created_at=message.created_at, received_at=message.received_at, status=message.status,
        language=message.language, duplicate_of=message.duplicate_of,
    )


@router.get("", operation_id="messages-list", response_model=MessagePage)
def list_(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    q: Annotated[str | None, Query(max_length=200, description="Words in title or body")] = None,
    source: Annotated[str | None, Query(max_length=200, description="Source name or kind (file, open311, …)")] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    received_from: Annotated[datetime | None, Query()] = None,
    received_to: Annotated[datetime | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> MessagePage:
    """Messages newest first, texts masked for the caller's role."""
    _require_reader(user)
    filters = MessageFilter(q=q, source=source, status=status, received_from=received_from, received_to=received_to)
    total, rows = list_messages(session, filters, limit=limit, offset=offset)
    return MessagePage(total=total, limit=limit, offset=offset,
                       items=[_public(settings, user, m, name) for m, name in rows])


@router.get("/{message_id}", operation_id="messages-get", response_model=MessagePublic)
def get(message_id: RowId, session: SessionDep, settings: SettingsDep, user: CurrentUser) -> MessagePublic:
    _require_reader(user)
    message, source = get_message(session, message_id)
    return _public(settings, user, message, source)


@router.get("/{message_id}/raw", operation_id="messages-raw", response_model=MessageRaw)
def raw(message_id: RowId, session: SessionDep, user: CurrentUser,
        reason: Annotated[str, Query(min_length=1, max_length=500, description="Why the raw text is needed")]
        ) -> MessageRaw:
    """The verbatim text with personal data (administrators only; audited as ``pii.raw_view``)."""
    return MessageRaw(id=message_id, original=_raw(session, user, message_id, reason))


def _raw(session: Session, user: User, message_id: int, reason: str) -> str:
    text = reveal_raw(session, user.username, user.role, message_id, reason)
    session.commit()  # the audit event must outlive the response
    return text
