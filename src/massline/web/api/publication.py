"""Staff REST API: an editor publishes a case on the public lists, or withdraws it.

Cases are private by default (:mod:`massline.serve.publication`); this is the one door by
which an imported, staff-opened or spam-closed case (or one whose requester did not opt in)
reaches Open311 lists — deliberately, with a reason, audited and recorded on the case.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from massline.serve.publication import set_published
from massline.serve.queries import get_work_order
from massline.web.api.auth import CurrentUser
from massline.web.api.schemas.workorders import WorkOrderDetail
from massline.web.api.staff_errors import ERROR_RESPONSES, RowId, StaffRoute
from massline.web.api.staff_views import work_order_detail
from massline.web.deps import SessionDep, SettingsDep

router = APIRouter(prefix="/api/work-orders", tags=["work-orders"], route_class=StaffRoute,
                   responses=ERROR_RESPONSES)


class PublishIn(BaseModel):
    public: Annotated[bool, Field(description="true: show on public lists (masked); false: withdraw")]
    reason: Annotated[str, Field(min_length=1, max_length=1000, description="Why (audited, kept on the case)")]


@router.post("/{work_order_id}/publish", operation_id="work-orders-publish", response_model=WorkOrderDetail,
             responses={422: {"description": "A reason is required"}})
def publish(work_order_id: RowId, body: PublishIn, session: SessionDep, settings: SettingsDep,
            user: CurrentUser) -> WorkOrderDetail:
    """Publish (or withdraw) a case on the public lists: editors and administrators."""
    wo = get_work_order(session, work_order_id, user)
    set_published(session, wo, body.public, user=user, reason=body.reason)
    return work_order_detail(session, settings, wo, user)
