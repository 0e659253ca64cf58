"""Department walls for the staff pages: what of the message archive a handler may see.

A handler works for one department, so a message is theirs only through a case their
department leads or co-handles (:func:`massline.serve.queries.handled_by`, the same rule as the
work-order lists and the REST API). Every other role works across departments and sees all.
Pages answer *not found* for a message behind the wall, like the API does for cases, so ids
cannot be probed.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from massline.db.models.message import Message
from massline.db.models.workorders import WorkOrder
from massline.serve.queries import handled_by
from massline.web.pages.security import PageUser


def message_wall(user: PageUser) -> ColumnElement[bool] | None:
    """SQL condition on ``Message`` limiting it to ``user``'s department's cases; None: no wall."""
    if user.role != "handler":
        return None
    return Message.id.in_(select(WorkOrder.message_id).where(WorkOrder.message_id.is_not(None),
                                                              handled_by(user.department_id)))


def may_see_message(session: Session, user: PageUser, message_id: int) -> bool:
    wall = message_wall(user)
    if wall is None:
        return True
    return session.scalar(select(Message.id).where(Message.id == message_id, wall)) is not None
