"""Work orders as staff see them, and the bodies of the actions on them.

Left out on purpose: the requester's ``token`` (their secret link), ``contact_id`` and the
contact itself (read through the audited contact call of the serve feature, not here), and
the unmasked description (``description`` is passed through the staff masking policy).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class WorkOrderBase(BaseModel):
    title: str | None = None
    category: str | None = None
    service_code: str | None = None
    priority: str = "normal"
    district: str | None = None


class WorkOrderPublic(WorkOrderBase):
    id: int
    status: str
    source: str
    description: str = Field(description="Masked for the caller's role")
    lead_department: str | None = Field(default=None, description="Department code of the lead")
    cohandlers: list[str] = Field(default_factory=list, description="Department codes of active co-handlers")
    route_confidence: float | None = None
    routing_pending: bool = Field(default=False, description="Stored and committed, automatic routing not "
                                  "finished yet (no department yet; a dispatcher may still assign it)")
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None = None
    replied_at: datetime | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None
    due_response_at: datetime | None = None
    due_close_at: datetime | None = None
    sla: dict[str, Any] = Field(default_factory=dict, description="Deadline states computed now")
    overdue: bool = False
    merged_into_id: int | None = None
    reopen_count: int = 0
    allowed_actions: list[str] = Field(default_factory=list, description="What the state machine allows now")


class EventPublic(BaseModel):
    at: datetime
    actor: str
    kind: str
    from_status: str | None = None
    to_status: str | None = None
    department: str | None = None
    reason: str | None = None


class ReplyPublic(BaseModel):
    id: int
    at: datetime
    author: str
    public: bool
    text: str = Field(description="Masked for the caller's role")
    pii_found: list[str] = Field(default_factory=list)


class WorkOrderDetail(WorkOrderPublic):
    events: list[EventPublic] = Field(default_factory=list)
    replies: list[ReplyPublic] = Field(default_factory=list)
    rating: str | None = None


class WorkOrderPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[WorkOrderPublic]


class WorkOrderCreate(BaseModel):
    """A dispatcher opens a case for a stored message (queued without ``department``)."""

    message_id: int = Field(ge=1, le=2**31 - 1)
    department: str | None = Field(default=None, max_length=64, description="Lead department code")
    priority: str = Field(default="normal", description="low, normal, high, urgent")
    reason: str | None = Field(default=None, max_length=2000)


class ContactPublic(BaseModel):
    """The requester's contact details (raw personal data: every read is audited)."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    device_id: str | None = None
    account_id: str | None = None


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class OptionalReasonIn(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


class DepartmentIn(BaseModel):
    department: str = Field(min_length=1, max_length=64, description="Department code, e.g. zjj")
    reason: str | None = Field(default=None, max_length=2000)


class TransferIn(DepartmentIn):
    reason: str = Field(min_length=1, max_length=2000)


class ReplyCreate(BaseModel):
    text: str = Field(min_length=1, max_length=10000)
    public: bool = Field(default=True, description="Public replies are checked for personal data and masked")


class MergeIn(BaseModel):
    into: int = Field(ge=1, le=2**31 - 1, description="Id of the case this duplicate is merged into")
    reason: str | None = Field(default=None, max_length=2000)
