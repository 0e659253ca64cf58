"""Who may do what: permissions per role *and* per department.

Why a table plus one function instead of decorators: the web pages, the REST API and the
service functions all ask the same question (``can(user, action, work_order)``), so the answer
must live in one place and be testable without HTTP.

Scope rules:

* ``administrator`` — everything.
* ``dispatcher`` — every case: dispatch (assign, transfer, return to queue), co-handling,
  merge, reopen, close, reply; reads contacts.
* ``handler`` — only cases where their department is the lead or an active co-handler
  ("visible"); lead-only actions (accept, return, start, transfer, add co-handler, public reply,
  close) need their department to be the *lead*; a co-handler may view and add internal notes.
* ``analyst`` / ``editor`` — read cases (masked) and metrics; an editor (and an administrator) may
  also publish or withdraw a case from the public lists (``publish``).
* ``editor`` also writes posts (publicize); ``reviewer`` reads like an editor and approves posts —
  never their own (:mod:`massline.publish.posts` checks the author). Both publish approved posts
  and moderate comments.
* ``organiser`` — runs public consultations (create, moderate statements, recompute results);
  nothing on cases.
* ``public`` — nothing staff-side (a requester acts through the token link, not through a role).
"""

from __future__ import annotations

from typing import Final

from massline.core.errors import InputError, PermissionDenied
from massline.db.models.users import User
from massline.db.models.workorders import WorkOrder

ROLES: Final = ("administrator", "dispatcher", "handler", "analyst", "editor", "reviewer", "organiser", "public")

#: Actions on a work order that the state machine or the service layer guards.
CASE_ACTIONS: Final = frozenset({
    "view", "view_contact", "assign", "accept", "return", "start", "transfer", "add_cohandler",
    "reply", "note", "reopen", "close", "merge", "set_priority", "publish",
})
#: Actions that are not about one case.
GLOBAL_ACTIONS: Final = frozenset({"view_metrics", "manage_users", "manage_api_keys", "view_queue", "list",
                                   "manage_consultations"})
#: Actions on posts (publicize).
POST_ACTIONS: Final = frozenset({"post_write", "post_review", "post_publish", "post_moderate"})

_ROLE_ACTIONS: Final[dict[str, frozenset[str]]] = {
    "administrator": CASE_ACTIONS | GLOBAL_ACTIONS | POST_ACTIONS,
    "dispatcher": frozenset({
        "view", "view_contact", "assign", "return", "transfer", "add_cohandler", "reply", "note",
        "reopen", "close", "merge", "set_priority", "view_metrics", "view_queue", "list",
    }),
    "handler": frozenset({
        "view", "view_contact", "accept", "return", "start", "transfer", "add_cohandler", "reply",
        "note", "close", "list",
    }),
    "analyst": frozenset({"view", "view_metrics", "list"}),
    "editor": frozenset({"view", "view_metrics", "list", "publish", "post_write", "post_review", "post_publish",
                        "post_moderate"}),
    "reviewer": frozenset({"view", "view_metrics", "list", "post_review", "post_publish", "post_moderate"}),
    "organiser": frozenset({"manage_consultations"}),
    "public": frozenset(),
}
#: What a handler whose department is only a co-handler (not the lead) may do.
_COHANDLER_ACTIONS: Final = frozenset({"view", "view_contact", "note"})


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}", field="role")
    return role


def can(user: User, action: str, work_order: WorkOrder | None = None, *, cohandler_ids: set[int] | None = None) -> bool:
    """Whether ``user`` may do ``action`` (on ``work_order`` when given).

    ``cohandler_ids`` are the department ids that co-handle the case (``queries.cohandler_ids``);
    the service functions load them, callers that only have the ORM object may omit them and then
    co-handlers are not recognised.
    """
    if not user.active:
        return False
    allowed = _ROLE_ACTIONS.get(user.role, frozenset())
    if action not in allowed:
        return False
    if user.role != "handler" or work_order is None:
        return True
    if user.department_id is None:
        return False
    if work_order.lead_department_id == user.department_id:
        return True
    return user.department_id in (cohandler_ids or set()) and action in _COHANDLER_ACTIONS


def require(user: User, action: str, work_order: WorkOrder | None = None, *,
            cohandler_ids: set[int] | None = None) -> None:
    """Raise :class:`PermissionDenied` naming the user, role and action when ``can`` says no."""
    if not can(user, action, work_order, cohandler_ids=cohandler_ids):
        target = f" on work order {work_order.id}" if work_order is not None else ""
        raise PermissionDenied(f"user {user.username!r} (role {user.role}) may not {action}{target}")
