"""Serving the public: departments, users and roles, work orders, deadlines, replies, satisfaction, metrics.

The public surface for the Open311/REST API, the web pages and the CLI. Conventions:

* every function takes the SQLAlchemy ``session`` first and the rest by keyword; the caller commits;
* ``actor`` is a :class:`~massline.db.models.users.User` (role and department are checked) or a
  string for a trusted, already-authenticated caller (``"system"``, ``"api_key:<id>"``, ``"requester"``);
* state changes raise :class:`~massline.core.errors.TransitionError` when the state machine refuses,
  :class:`~massline.core.errors.PermissionDenied` when the role/department may not act,
  :class:`~massline.core.errors.NotFoundError` for a missing or invisible case,
  :class:`~massline.core.errors.InputError` for a bad field;
* every step appends a ``WorkOrderEvent`` and an audit record.
"""

from massline.serve.accounts import (
    authenticate,
    create_api_key,
    create_user,
    generate_password,
    get_user,
    hash_password,
    list_api_keys,
    list_users,
    revoke_api_key,
    set_password,
    verify_api_key,
    verify_password,
)
from massline.serve.cases import ContactInfo, Location, open_from_routing, open_work_order
from massline.serve.departments import (
    department_by_code,
    department_for_category,
    escalation_chain,
    list_departments,
    seed_departments,
)
from massline.serve.lifecycle import (
    RATINGS,
    accept,
    add_cohandler,
    assign,
    close,
    merge,
    note,
    rate,
    reopen,
    reply,
    return_to_dispatch,
    set_priority,
    start,
    transfer,
)
from massline.serve.queries import (
    WorkOrderFilter,
    cohandlers_of,
    contact_of,
    count_work_orders,
    current_rating,
    department_of,
    escalation_target,
    events_of,
    get_work_order,
    list_work_orders,
    replies_of,
    work_order_by_token,
)
from massline.serve.roles import ROLES, can, require
from massline.serve.sla import SlaRules, SlaStatus, load_sla_rules, sla_status
from massline.serve.states import ACTIONS, STATUSES, allowed_actions, allowed_transitions

__all__ = [
    "ACTIONS",
    "RATINGS",
    "ROLES",
    "STATUSES",
    "ContactInfo",
    "Location",
    "SlaRules",
    "SlaStatus",
    "WorkOrderFilter",
    "accept",
    "add_cohandler",
    "allowed_actions",
    "allowed_transitions",
    "assign",
    "authenticate",
    "can",
    "close",
    "cohandlers_of",
    "contact_of",
    "count_work_orders",
    "create_api_key",
    "create_user",
    "current_rating",
    "department_by_code",
    "department_for_category",
    "department_of",
    "escalation_chain",
    "escalation_target",
    "events_of",
    "generate_password",
    "get_user",
    "get_work_order",
    "hash_password",
    "list_api_keys",
    "list_departments",
    "list_users",
    "list_work_orders",
    "load_sla_rules",
    "merge",
    "note",
    "open_from_routing",
    "open_work_order",
    "rate",
    "reopen",
    "replies_of",
    "reply",
    "require",
    "return_to_dispatch",
    "revoke_api_key",
    "seed_departments",
    "set_password",
    "set_priority",
    "sla_status",
    "start",
    "transfer",
    "verify_api_key",
    "verify_password",
    "work_order_by_token",
]
