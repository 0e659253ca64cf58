"""Private by default: which cases the public may see, and the editor's publish/withdraw action.

A case appears on Open311 lists and public pages only when it is *published*:

* its requester ticked the consent (portal checkbox, Open311 ``attribute[publish]=yes``; default
  no) — ``published_by = "requester"``; closing it as invalid (spam, abuse) withdraws that;
* or an editor (or administrator) published it, with a reason — ``published_by = "editor:<name>"``.

Imported hotline rows and staff-opened cases are never published by themselves. Even then only
masked text leaves (:func:`massline.privacy.mask_text` with the ``public`` output) and
coordinates are rounded to :data:`COORDINATE_DECIMALS` decimals (about 100 m).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import Session

from massline.core.errors import InputError
from massline.db.models.users import User
from massline.db.models.workorders import WorkOrder, WorkOrderEvent
from massline.db.repositories.audit import record_audit
from massline.serve.roles import require

#: The consent attribute (Open311 ``attribute[publish]``, the portal's checkbox ``publish``).
CONSENT_ATTRIBUTE = "publish"
#: What the requester agrees to, in the words shown next to the (unticked) box.
CONSENT_TEXT = ("同意公开本诉求：公开标题、诉求内容（隐去人名、手机和电话号码、证件号、门牌地址等个人信息）、"
                "办理状态和答复，位置只公开到约百米范围；联系方式不公开。不勾选则只有您本人和工作人员能看到。")
REQUESTER = "requester"
COORDINATE_DECIMALS = 3


def consented(attributes: Mapping[str, Any] | None) -> bool:
    """Whether the requester opted in (only an explicit ``yes`` counts)."""
    return str((attributes or {}).get(CONSENT_ATTRIBUTE, "")).strip().lower() == "yes"


def consent_fields(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """The publication columns of a new case: published when (and only when) its requester opted in."""
    return {"public": True, "published_by": REQUESTER} if consented(attributes) else {}


def published_clause() -> ColumnElement[bool]:
    """SQL condition of :func:`is_published` (for public listings)."""
    return and_(WorkOrder.public.is_(True), or_(
        WorkOrder.published_by != REQUESTER, WorkOrder.close_reason.is_(None), WorkOrder.close_reason != "invalid",
    ))


def is_published(wo: WorkOrder) -> bool:
    if not wo.public:
        return False
    return wo.published_by != REQUESTER or wo.close_reason != "invalid"


def public_coordinate(value: float | None) -> float | None:
    """A coordinate as published: rounded to about 100 m."""
    return None if value is None else round(value, COORDINATE_DECIMALS)


def set_published(session: Session, wo: WorkOrder, public: bool, *, user: User, reason: str) -> bool:
    """An editor's decision to publish (``public``) or withdraw a case; False when nothing changed.

    Audited (``case.publish`` / ``case.unpublish``) and recorded as a case event with the reason.
    """
    require(user, "publish", wo)
    if not reason or not reason.strip():
        raise InputError("a reason is required to publish or withdraw a case", field="reason")
    if is_published(wo) == public:
        return False
    wo.public = public
    wo.published_by = f"editor:{user.username}" if public else None
    kind = "published" if public else "unpublished"
    session.add(WorkOrderEvent(work_order_id=wo.id, actor=user.username, kind=kind, from_status=wo.status,
                               to_status=wo.status, department_id=None, detail={}, reason=reason.strip()))
    record_audit(session, actor=user.username, action=f"case.{'publish' if public else 'unpublish'}",
                 object_type="work_order", object_id=wo.id, reason=reason.strip())
    session.flush()
    return True
