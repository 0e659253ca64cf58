"""Read models of work orders for the pages: what the public sees by token, what staff see.

Every text that leaves through the public view goes through ``mask_text(…, "public")`` here,
even when the service already stored a masked copy: masking twice is harmless, leaking once is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.db.models.workorders import Rating, Reply, WorkOrder, WorkOrderEvent
from massline.privacy import mask_text
from massline.serve.queries import replies_of

STATUS_NAMES: dict[str, str] = {
    "new": "已受理", "queued": "待分拨", "triage": "待分拨", "assigned": "已派单", "accepted": "已签收",
    "in_progress": "办理中", "replied": "已答复", "closed": "已办结", "reopened": "重新办理",
    "returned": "已退回", "merged": "已合并", "invalid": "无效",
}


@dataclass(slots=True)
class PublicReply:
    at: datetime | None
    text: str


@dataclass(slots=True)
class PublicCase:
    token: str
    category: str | None
    title: str
    description: str
    status: str
    created_at: datetime | None
    replies: list[PublicReply] = field(default_factory=list)
    rating: str | None = None
    routing_pending: bool = False  # received and stored, being routed (massline.serve.requests.PENDING_NOTE)


def public_case(session: Session, token: str) -> PublicCase | None:
    """The requester's view of their case: masked description, public replies, their rating."""
    token = token.strip()
    if not token or len(token) > 64:
        return None
    wo = session.scalar(select(WorkOrder).where(WorkOrder.token == token))
    if wo is None:
        return None
    replies = replies_of(session, wo, public_only=True)  # a merged duplicate shows the main case's replies
    rating = session.scalar(
        select(Rating.value).where(Rating.work_order_id == wo.id, Rating.current.is_(True)).order_by(Rating.at.desc())
    )
    return PublicCase(
        token=wo.token,
        category=wo.category,
        title=mask_text(wo.title or "", "public"),
        description=mask_text(wo.public_description or wo.description or "", "public"),
        status=wo.status,
        created_at=wo.created_at,
        replies=[PublicReply(at=r.at, text=mask_text(r.public_text or r.text, "public")) for r in replies],
        rating=rating,
        routing_pending=wo.routing_pending,
    )


def staff_case(session: Session, work_order_id: int) -> dict[str, Any] | None:
    """A work order with its events (oldest first) and replies, as ORM rows."""
    wo = session.get(WorkOrder, work_order_id)
    if wo is None:
        return None
    events = list(session.scalars(
        select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == wo.id)
        .order_by(WorkOrderEvent.at, WorkOrderEvent.id)
    ))
    replies = list(session.scalars(select(Reply).where(Reply.work_order_id == wo.id).order_by(Reply.at, Reply.id)))
    ratings = list(session.scalars(select(Rating).where(Rating.work_order_id == wo.id).order_by(Rating.at)))
    return {"wo": wo, "events": events, "replies": replies, "ratings": ratings}


def work_orders_of_message(session: Session, message_id: int) -> list[WorkOrder]:
    return list(session.scalars(select(WorkOrder).where(WorkOrder.message_id == message_id)))
