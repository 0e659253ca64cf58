"""Staff REST API for work orders: list and filter, read one with its history, act on it.

Every action is one call into :mod:`massline.serve.lifecycle`, which checks the role *and*
department, asks the state machine and writes the event; this module only translates HTTP
to those calls and rows to :mod:`massline.web.api.schemas.workorders`. A case the user may
not see answers 404 (ids cannot be probed), an action their role or department may not take
answers 403, a transition the state machine refuses answers 409 with the allowed actions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from massline.db.models.users import User
from massline.db.models.workorders import WorkOrder
from massline.serve import lifecycle
from massline.serve.cases import open_work_order
from massline.serve.queries import (
    WorkOrderFilter,
    contact_of,
    count_work_orders,
    get_work_order,
    list_work_orders,
)
from massline.serve.roles import require
from massline.serve.states import STATUSES
from massline.web.api.auth import CurrentUser
from massline.web.api.schemas.workorders import (
    ContactPublic,
    DepartmentIn,
    MergeIn,
    OptionalReasonIn,
    ReasonIn,
    ReplyCreate,
    TransferIn,
    WorkOrderCreate,
    WorkOrderDetail,
    WorkOrderPage,
)
from massline.web.api.staff_errors import ERROR_RESPONSES, RowId, StaffRoute
from massline.web.api.staff_views import overdue_ids, work_order_detail, work_order_public
from massline.web.deps import SessionDep, SettingsDep

TAG = "work-orders"
router = APIRouter(prefix="/api/work-orders", tags=[TAG], route_class=StaffRoute, responses=ERROR_RESPONSES)
ACTION_RESPONSES: dict[int | str, dict[str, str]] = {
    409: {"description": "The state machine does not allow this action now (the text lists what it allows)"},
    422: {"description": "A field is missing or invalid (e.g. a reason is required)"},
}


@router.get("", operation_id="work-orders-list", response_model=WorkOrderPage)
def list_(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    status: Annotated[list[str] | None, Query(description=f"Any of {', '.join(STATUSES)} (repeat or comma)")] = None,
    department: Annotated[str | None, Query(max_length=64, description="Lead department code")] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    district: Annotated[str | None, Query(max_length=100)] = None,
    overdue: Annotated[bool | None, Query(description="Only open cases past a deadline")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in title or description")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> WorkOrderPage:
    """Cases the user may see (a handler: their department's, as lead or co-handler), newest first."""
    statuses = [s.strip() for part in status or [] for s in part.split(",") if s.strip()]
    filters = WorkOrderFilter(
        status=statuses or None, department_code=department or None, category=category or None,
        district=district or None, text=q or None, ids=overdue_ids(session) if overdue else None,
    )
    rows = list_work_orders(session, user=user, filters=filters, limit=limit, offset=offset)
    total = count_work_orders(session, user=user, filters=filters)
    items = [work_order_public(session, settings, wo, user) for wo in rows]
    return WorkOrderPage(total=total, limit=limit, offset=offset, items=items)


@router.post("", operation_id="work-orders-create", response_model=WorkOrderDetail, status_code=201,
             responses=ACTION_RESPONSES)
def create(body: WorkOrderCreate, session: SessionDep, settings: SettingsDep, user: CurrentUser) -> WorkOrderDetail:
    """Open a case for a stored message (an existing case of that message is returned as it is)."""
    require(user, "assign")
    wo = open_work_order(session, message_id=body.message_id, department_code=body.department,
                         priority=body.priority, reason=body.reason, actor=user, source="staff",
                         secret_key=settings.resolved_secret_key())
    return work_order_detail(session, settings, wo, user)


@router.get("/{work_order_id}/contact", operation_id="work-orders-contact", response_model=ContactPublic | None)
def contact(work_order_id: RowId, session: SessionDep, user: CurrentUser,
            reason: Annotated[str, Query(min_length=1, max_length=500, description="Why (kept in the audit log)")]
            ) -> ContactPublic | None:
    """The requester's contact details, to call them back; audited as ``pii.raw_view``."""
    wo = get_work_order(session, work_order_id, user)
    found = contact_of(session, wo, user=user, reason=reason)
    session.commit()  # the audit event must outlive the response
    if found is None:
        return None
    return ContactPublic(first_name=found.first_name, last_name=found.last_name, email=found.email,
                         phone=found.phone, device_id=found.device_id, account_id=found.account_id)


@router.get("/{work_order_id}", operation_id="work-orders-get", response_model=WorkOrderDetail)
def get(work_order_id: RowId, session: SessionDep, settings: SettingsDep, user: CurrentUser) -> WorkOrderDetail:
    """One case with its events, replies and current rating."""
    return work_order_detail(session, settings, get_work_order(session, work_order_id, user), user)


def _act(session: Session, settings: SettingsDep, user: User, work_order_id: int,
         action: Callable[[WorkOrder], object]) -> WorkOrderDetail:
    wo = get_work_order(session, work_order_id, user)
    action(wo)
    session.flush()
    return work_order_detail(session, settings, wo, user)


@router.post("/{work_order_id}/assign", operation_id="work-orders-assign", response_model=WorkOrderDetail,
             responses=ACTION_RESPONSES)
def assign(work_order_id: RowId, body: DepartmentIn, session: SessionDep, settings: SettingsDep,
           user: CurrentUser) -> WorkOrderDetail:
    """Dispatch a queued case (new or returned) to a lead department."""
    return _act(session, settings, user, work_order_id, lambda wo: lifecycle.assign(
        session, wo, department_code=body.department, actor=user, reason=body.reason))


@router.post("/{work_order_id}/accept", operation_id="work-orders-accept", response_model=WorkOrderDetail,
             responses=ACTION_RESPONSES)
def accept(work_order_id: RowId, session: SessionDep, settings: SettingsDep, user: CurrentUser) -> WorkOrderDetail:
    """签收: the lead department accepts the case."""
    return _act(session, settings, user, work_order_id, lambda wo: lifecycle.accept(session, wo, actor=user))


@router.post("/{work_order_id}/return", operation_id="work-orders-return", response_model=WorkOrderDetail,
             responses=ACTION_RESPONSES)
def return_(work_order_id: RowId, body: ReasonIn, session: SessionDep, settings: SettingsDep,
            user: CurrentUser) -> WorkOrderDetail:
    """退单: not ours — back to the dispatcher's queue, with the reason."""
    return _act(session, settings, user, work_order_id, lambda wo: lifecycle.return_to_dispatch(
        session, wo, actor=user, reason=body.reason))


@router.post("/{work_order_id}/start", operation_id="work-orders-start", response_model=WorkOrderDetail,
             responses=ACTION_RESPONSES)
def start(work_order_id: RowId, session: SessionDep, settings: SettingsDep, user: CurrentUser) -> WorkOrderDetail:
    """Work on the case has started."""
    return _act(session, settings, user, work_order_id, lambda wo: lifecycle.start(session, wo, actor=user))


@router.post("/{work_order_id}/transfer", operation_id="work-orders-transfer", response_model=WorkOrderDetail,
             responses=ACTION_RESPONSES)
def transfer(work_order_id: RowId, body: TransferIn, session: SessionDep, settings: SettingsDep,
             user: CurrentUser) -> WorkOrderDetail:
    """转办: hand the case to another lead department (reason required)."""
    return _act(session, settings, user, work_order_id, lambda wo: lifecycle.transfer(
        session, wo, department_code=body.department, actor=user, reason=body.reason))


@router.post("/{work_order_id}/cohandlers", operation_id="work-orders-add-cohandler",
             response_model=WorkOrderDetail, responses=ACTION_RESPONSES)
def add_cohandler(work_order_id: RowId, body: DepartmentIn, session: SessionDep, settings: SettingsDep,
                  user: CurrentUser) -> WorkOrderDetail:
    """协办: another department works on the case with the lead."""
    return _act(session, settings, user, work_order_id, lambda wo: lifecycle.add_cohandler(
        session, wo, department_code=body.department, actor=user, reason=body.reason))


@router.post("/{work_order_id}/reply", operation_id="work-orders-reply", response_model=WorkOrderDetail,
             responses=ACTION_RESPONSES)
def reply(work_order_id: RowId, body: ReplyCreate, session: SessionDep, settings: SettingsDep,
          user: CurrentUser) -> WorkOrderDetail:
    """Answer the requester; a public reply passes the personal-data check and is stored masked."""
    return _act(session, settings, user, work_order_id, lambda wo: lifecycle.reply(
        session, wo, text=body.text, public=body.public, actor=user))


@router.post("/{work_order_id}/close", operation_id="work-orders-close", response_model=WorkOrderDetail,
             responses=ACTION_RESPONSES)
def close(work_order_id: RowId, session: SessionDep, settings: SettingsDep,
          user: CurrentUser, body: OptionalReasonIn | None = None) -> WorkOrderDetail:
    """Close a replied case, or a queued one that is not a request (reason required then)."""
    return _act(session, settings, user, work_order_id, lambda wo: lifecycle.close(
        session, wo, actor=user, reason=body.reason if body else None))


@router.post("/{work_order_id}/reopen", operation_id="work-orders-reopen", response_model=WorkOrderDetail,
             responses=ACTION_RESPONSES)
def reopen(work_order_id: RowId, body: ReasonIn, session: SessionDep, settings: SettingsDep,
           user: CurrentUser) -> WorkOrderDetail:
    """Reopen after an unsatisfied rating (reason required); a new close deadline runs from now."""
    return _act(session, settings, user, work_order_id, lambda wo: lifecycle.reopen(
        session, wo, actor=user, reason=body.reason))


@router.post("/{work_order_id}/merge", operation_id="work-orders-merge", response_model=WorkOrderDetail,
             responses=ACTION_RESPONSES)
def merge(work_order_id: RowId, body: MergeIn, session: SessionDep, settings: SettingsDep,
          user: CurrentUser) -> WorkOrderDetail:
    """Merge this duplicate into another case; it is closed and shows that case's replies."""
    into = get_work_order(session, body.into, user)
    return _act(session, settings, user, work_order_id, lambda wo: lifecycle.merge(
        session, wo, into=into, actor=user, reason=body.reason))
