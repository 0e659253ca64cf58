"""Open311 requests ↔ our work orders: reading them as the spec's fields, and submitting new ones.

A service request *is* a work order (``service_request_id`` = work order id, ``token`` = its
token), whatever channel it came in by, so Open311 clients see the same cases as the public
tracking page. Reading is done here with a fixed number of queries per page (work orders,
then their departments and latest public replies), never one query per row.

Submitting goes through :func:`massline.serve.requests.receive_request`, like the public portal:
the raw form (without the API key) is stored and cleaned and the work order opened with its
routing pending — committed before the answer; the duplicate check, analysis and routing follow on the engine
(``route_request``), and until then the request reads ``open``, "已受理，正在分派". Only
:func:`massline.privacy.mask_text` output and non-personal fields leave this module.

Private by default (:mod:`massline.serve.publication`): lists show only published cases, a
paginated page at a time; asked by its id, an unpublished case shows its status and dates only
(so the client that filed it can follow it) — no text, no place, no media.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.core.errors import InputError
from massline.db.models.users import Department
from massline.db.models.workorders import Reply, WorkOrder
from massline.privacy import mask_text
from massline.serve.cases import ContactInfo, Location
from massline.serve.publication import is_published, public_coordinate, published_clause
from massline.serve.requests import PENDING_NOTE, receive_request
from massline.web.api.open311_format import Open311Error
from massline.web.api.open311_params import DateRange, NewRequest, Page, w3c
from massline.web.api.open311_services import Service, service_for_category

#: Open311 ``urgency`` attribute → work-order priority.
PRIORITY = {"normal": "normal", "urgent": "high", "very_urgent": "urgent"}
CLOSED = "closed"
#: Fields left empty for a request that is not published.
PRIVATE_FIELDS = ("description", "address", "address_id", "zipcode", "lat", "long", "media_url")
#: Our statuses as the public reads them (status_notes when there is no public reply yet).
STATUS_NOTES: dict[str, str] = {
    "new": "已受理，等待分派",
    "returned": "承办单位退回，等待重新分派",
    "assigned": "已分派至承办单位",
    "accepted": "承办单位已签收",
    "in_progress": "正在办理",
    "replied": "已答复",
    "reopened": "不满意，已重新办理",
    "closed": "已办结",
}


def open311_status(status: str) -> str:
    """The spec knows two statuses: ``closed`` (resolved) and ``open`` (everything else)."""
    return "closed" if status == CLOSED else "open"


def _public(text: str | None) -> str | None:
    return mask_text(text, "public") if text else None


def _description(wo: WorkOrder) -> str | None:
    """The public text: ``public_description`` was masked when the case was opened (masked before
    it can be published, once, not on every read of a list); older rows without it are masked now."""
    if (wo.attributes or {}).get("public_reply") == "no":
        return None  # the requester asked not to publish; status stays visible, the text does not
    return wo.public_description or _public(wo.description)


def _rows(session: Session, orders: Sequence[WorkOrder]) -> list[dict[str, Any]]:
    dep_ids = {wo.lead_department_id for wo in orders if wo.lead_department_id is not None}
    departments: dict[int, str] = {}
    if dep_ids:
        query = select(Department.id, Department.name).where(Department.id.in_(dep_ids))
        departments = {dep_id: name for dep_id, name in session.execute(query).all()}
    published_ids = {wo.id for wo in orders if is_published(wo)}  # an unpublished case shows no reply
    replies = _latest_public_replies(session, [wo for wo in orders if wo.id in published_ids])
    out = []
    for wo in orders:
        service = service_for_category(wo.category)
        attrs = wo.attributes or {}
        published = wo.id in published_ids
        reply = replies.get(wo.id) if published else None
        notes = reply or (PENDING_NOTE if wo.routing_pending else STATUS_NOTES.get(wo.status, wo.status))
        if wo.merged_into_id is not None:
            notes = f"与第 {wo.merged_into_id} 号诉求合并办理" + (f"：{reply}" if reply else "")
        row = {
            "service_request_id": wo.id,
            "status": open311_status(wo.status),
            "status_notes": notes,
            "service_name": service.name if service else wo.category,
            "service_code": service.code if service else wo.service_code,
            "description": _description(wo),
            "agency_responsible": departments.get(wo.lead_department_id) if wo.lead_department_id else None,
            "service_notice": None,
            "requested_datetime": w3c(wo.created_at),
            "updated_datetime": w3c(wo.closed_at if wo.status == CLOSED and wo.closed_at else wo.updated_at),
            "expected_datetime": w3c(wo.due_close_at),
            "address": _public(wo.address_string),
            "address_id": attrs.get("address_id"),
            "zipcode": attrs.get("zipcode"),
            "lat": public_coordinate(wo.lat),
            "long": public_coordinate(wo.long),
            "media_url": wo.media_url,
        }
        if not published:  # status and dates only: nothing the requester wrote, nowhere they are
            row.update(dict.fromkeys(PRIVATE_FIELDS))
        out.append(row)
    return out


def _latest_public_replies(session: Session, orders: Sequence[WorkOrder]) -> dict[int, str]:
    """work order id → masked text of its newest public reply (one query for the whole page).

    A merged duplicate shows the reply of the case it was merged into (one level, as stored).
    """
    answering = {wo.id: wo.merged_into_id or wo.id for wo in orders}
    if not answering:
        return {}
    newest = (
        select(Reply.work_order_id, func.max(Reply.id).label("rid"))
        .where(Reply.work_order_id.in_(set(answering.values())), Reply.public.is_(True))
        .group_by(Reply.work_order_id)
        .subquery()
    )
    rows = session.execute(select(Reply.work_order_id, Reply.public_text, Reply.text)
                           .join(newest, Reply.id == newest.c.rid)).all()
    # ``public_text`` is masked when the reply is written; a reply stored without it is masked here
    texts = {wid: public_text if public_text is not None else mask_text(text, "public")
             for wid, public_text, text in rows}
    return {wo_id: texts[target] for wo_id, target in answering.items() if target in texts}


def requests_by_ids(session: Session, ids: list[int], *, published_only: bool = True) -> list[dict[str, Any]]:
    """The requests with these ids (unknown — and, for a list, unpublished — ids are left out,
    as the spec's list semantics allow); ``published_only=False`` shows unpublished ones redacted."""
    query = select(WorkOrder).where(WorkOrder.id.in_(ids))
    if published_only:
        query = query.where(published_clause())
    return _rows(session, session.scalars(query.order_by(WorkOrder.id.desc())).all())


def search_requests(session: Session, *, categories: list[str], window: DateRange,
                    statuses: list[str], page: Page, after: int | None = None) -> list[dict[str, Any]]:
    """Published requests made in ``window``, newest first, one page of them.

    ``after`` (an extension of the spec: the last ``service_request_id`` of the previous page) pages
    by key instead of by offset, so the thousandth page costs what the first does; ``page`` then
    only counts pages from that key. The partial index ``ix_work_orders_published_list`` serves
    both orders without reading private rows.
    """
    query = select(WorkOrder).where(WorkOrder.created_at >= window.start, WorkOrder.created_at <= window.end,
                                    published_clause())
    if after is not None:
        anchor = session.execute(select(WorkOrder.created_at, WorkOrder.id).where(WorkOrder.id == after)).first()
        if anchor is None:
            raise Open311Error(400, f"after: {after} is not a service_request_id")
        query = query.where(tuple_(WorkOrder.created_at, WorkOrder.id) < tuple_(anchor.created_at, anchor.id))
    if categories:
        query = query.where(WorkOrder.category.in_(categories))
    if set(statuses) == {"open"}:
        query = query.where(WorkOrder.status != CLOSED)
    elif set(statuses) == {"closed"}:
        query = query.where(WorkOrder.status == CLOSED)
    orders = session.scalars(query.order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())
                             .offset(page.offset).limit(page.page_size)).all()
    return _rows(session, orders)


def by_token(session: Session, token: str) -> dict[str, Any]:
    """``{service_request_id, token}`` for a token a POST returned (404 when nobody issued it)."""
    wo_id = session.scalar(select(WorkOrder.id).where(WorkOrder.token == token)) if len(token) <= 64 else None
    if wo_id is None:
        raise Open311Error(404, f"token {token!r} not found")
    return {"service_request_id": wo_id, "token": token}


def submit(session: Session, settings: Settings, req: NewRequest, service: Service, attributes: dict[str, Any],
           *, api_key_id: int) -> WorkOrder:
    """Store one POSTed request as a work order whose routing is pending (the caller commits and has
    it routed, then answers with :func:`created_answer`)."""
    form: dict[str, Any] = {
        "service_code": req.service_code, "lat": req.lat, "long": req.long, "address_string": req.address_string,
        "address_id": req.address_id, "description": req.description, "media_url": req.media_url,
        "attribute": req.attributes, **req.contact,
    }
    extra = {"address_id": req.address_id} if req.address_id else {}
    try:
        wo = receive_request(
            session, settings, channel="open311", service_code=service.code, category=service.name,
            title=attributes.get("title"), description=req.description,
            location=Location(lat=req.lat, long=req.long, address_string=req.address_string),
            contact=ContactInfo(**req.contact), attributes={**attributes, **extra}, district=attributes.get("district"),
            raw_record={"form": form, "api_key_id": api_key_id}, api_key_id=api_key_id,
            priority=PRIORITY.get(attributes.get("urgency", "normal"), "normal"), media_url=req.media_url,
        )
    except InputError as exc:
        raise Open311Error(400, f"description: {exc.reason}") from exc
    return wo


def created_answer(wo: WorkOrder) -> dict[str, Any]:
    """The spec's answer to a POST: ``{service_request_id, service_notice, account_id}``."""
    return {"service_request_id": wo.id, "service_notice": service_notice(wo), "account_id": None}


def service_notice(wo: WorkOrder) -> str:
    """What the requester can expect (from the case's computed deadline, counted from receipt)."""
    due = w3c(wo.due_close_at)
    if wo.routing_pending:
        queue = "正在分派"
    else:
        queue = "已进入人工分派" if wo.lead_department_id is None else "已分派至承办单位"
    return f"您的诉求已受理（编号 {wo.id}），{queue}。" + (f"预计办结时间：{due}。" if due else "")
