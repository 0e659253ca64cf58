"""Opening work orders: from a routed message, by a dispatcher, or from an Open311 request.

A case with a department goes straight to ``assigned``; without one (low routing confidence, or
no category) it waits as ``new`` in the dispatcher's queue. Opening twice for the same message
returns the existing case, so re-running routing never duplicates work.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from massline.core.errors import InputError, NotFoundError
from massline.db.models.audit import AuditEvent
from massline.db.models.message import AnalysisResult, Message
from massline.db.models.users import Department
from massline.db.models.workorders import CoHandler, Contact, WorkOrder, WorkOrderEvent
from massline.privacy import mask_text
from massline.serve._common import Actor, actor_name, add_event, at_or_now, authorize, event_rows
from massline.serve.departments import department_by_code
from massline.serve.sla import PRIORITIES, SlaRules, as_utc, load_sla_rules

#: Masked district names in the 泰迪杯 data (A1区, K8县 …); ``meta["district"]`` wins when present.
_DISTRICT = re.compile(r"([A-Z]\d{1,2}[区县市])")


@dataclass(frozen=True)
class Location:
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None


@dataclass(frozen=True)
class ContactInfo:
    """What a requester told us about themselves (Open311 contact fields); staff-only."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    device_id: str | None = None
    account_id: str | None = None


def new_token() -> str:
    """The requester's unguessable link token (also the Open311 ``token``)."""
    return secrets.token_urlsafe(24)


def detect_district(*texts: str | None) -> str | None:
    for text in texts:
        if text and (match := _DISTRICT.search(text)):
            return match.group(1)
    return None


def message_received_at(message: Message) -> datetime:
    """When the citizen wrote (else when we received it), in UTC (the column type returns aware UTC)."""
    return as_utc(message.created_at if message.created_at is not None else message.received_at)


def message_category(session: Session, message: Message) -> str | None:
    """The current ``category`` analysis result, else the label the message came with."""
    value = session.scalar(select(AnalysisResult.value).where(
        AnalysisResult.message_id == message.id, AnalysisResult.key == "category", AnalysisResult.current.is_(True)
    ).order_by(AnalysisResult.id.desc()).limit(1))
    return _category_of(value, message)


def message_categories(session: Session, messages: Iterable[Message]) -> dict[int, str | None]:
    """:func:`message_category` of many messages in one query (opening a batch of routed cases)."""
    by_id = {m.id: m for m in messages}
    values: dict[int, Any] = {}
    for mid, value in session.execute(select(AnalysisResult.message_id, AnalysisResult.value).where(
            AnalysisResult.message_id.in_(list(by_id)), AnalysisResult.key == "category",
            AnalysisResult.current.is_(True)).order_by(AnalysisResult.id)):
        values[mid] = value  # the newest current row wins, as in message_category
    return {mid: _category_of(values.get(mid), m) for mid, m in by_id.items()}


def _category_of(value: Any, message: Message) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and value.get("label"):
        return str(value["label"])
    label = (message.meta or {}).get("label")
    return str(label) if label else None


def _store_contact(session: Session, contact: ContactInfo | Mapping[str, Any] | None, secret_key: str) -> int | None:
    if contact is None:
        return None
    info = contact if isinstance(contact, ContactInfo) else ContactInfo(**{
        k: (str(v) if v is not None else None) for k, v in contact.items() if k in ContactInfo.__dataclass_fields__})
    if not any(vars(info).values()):
        return None
    who = (info.email or info.phone or info.account_id or info.device_id or "").strip().lower()
    ref = (hmac.new(secret_key.encode(), who.encode(), hashlib.sha256).hexdigest()[:32]
           if who and secret_key else secrets.token_hex(16))
    row = Contact(ref=ref, **vars(info))
    session.add(row)
    session.flush()
    return row.id


def open_work_order(
    session: Session,
    *,
    message_id: int | None = None,
    category: str | None = None,
    department_code: str | None = None,
    confidence: float | None = None,
    reason: str | None = None,
    actor: Actor = "system",
    location: Location | Mapping[str, Any] | None = None,
    contact: ContactInfo | Mapping[str, Any] | None = None,
    priority: str = "normal",
    title: str | None = None,
    description: str | None = None,
    source: str = "message",
    service_code: str | None = None,
    media_url: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    district: str | None = None,
    at: datetime | None = None,
    secret_key: str = "",
    rules: SlaRules | None = None,
    audit: bool = True,
    fresh: bool = False,
    fields: Mapping[str, Any] | None = None,
) -> WorkOrder:
    """Open a case (``assigned`` when ``department_code`` is given, else ``new`` in the dispatch queue).

    With ``message_id`` the title/description/category/district default to the message's; an
    existing case for the same message is returned unchanged. ``at`` is when the request was
    received (default: the message's ``created_at``, else now); deadlines are computed from it.
    ``fresh``: the message was stored in the caller's own transaction (a request being received),
    so no case can exist for it yet — no look-up and no savepoint (three statements of intake's
    hot path; the unique index on ``message_id`` still guards it). ``fields``: further column
    values of the new case (e.g. ``routing_pending``), set before it is inserted.
    """
    if priority not in PRIORITIES:
        raise InputError(f"unknown priority {priority!r}; expected one of {', '.join(PRIORITIES)}", field="priority")
    message = None
    if message_id is not None:
        message = session.get(Message, message_id)
        if message is None:
            raise NotFoundError(f"message {message_id} does not exist")
        existing = None if fresh else session.scalar(select(WorkOrder).where(WorkOrder.message_id == message_id))
        if existing is not None:
            return existing
    title, description, category, at = _with_message_defaults(session, message, title, description, category, at)
    if department_code:  # a staff member opening a case for a department dispatches it
        authorize(session, actor, "assign")
    dep = department_by_code(session, department_code) if department_code else None
    wo = _new_work_order(
        session, message, dep, category=category, confidence=confidence, reason=reason, location=location,
        contact=contact, priority=priority, title=title, description=description, source=source,
        service_code=service_code, media_url=media_url, attributes=attributes, district=district, at=at,
        secret_key=secret_key, rules=rules)
    for name, value in (fields or {}).items():
        setattr(wo, name, value)
    if message_id is not None and not fresh and session.get_bind().dialect.name != "sqlite":
        # Two dispatchers (or a dispatcher and the router) opening the same message's case at once:
        # the unique index on work_orders.message_id lets one win; the other gets the winner's case.
        # (SQLite serialises writers, and pysqlite savepoints are unreliable, so there the plain
        # check above and the index suffice.)
        try:
            with session.begin_nested():
                session.add(wo)
                session.flush()
        except IntegrityError:
            existing = session.scalar(select(WorkOrder).where(WorkOrder.message_id == message_id))
            if existing is None:
                raise
            return existing
    else:
        session.add(wo)
        session.flush()
    _record_opening(session, wo, dep, actor=actor, reason=reason, audit=audit)
    return wo


def _with_message_defaults(
    session: Session, message: Message | None, title: str | None, description: str | None, category: str | None,
    at: datetime | None,
) -> tuple[str | None, str, str | None, datetime | None]:
    """Title, description, category and time of a new case: as given, else the message's; the
    description must not be empty."""
    if message is not None:
        title = title if title is not None else message.title
        description = description if description is not None else message.body
        category = category or message_category(session, message)
        at = at or message_received_at(message)
    if not description or not description.strip():
        raise InputError("must not be empty", field="description")
    return title, description, category, at


def _new_work_order(
    session: Session, message: Message | None, dep: Department | None, *, category: str | None,
    confidence: float | None, reason: str | None, location: Location | Mapping[str, Any] | None,
    contact: ContactInfo | Mapping[str, Any] | None, priority: str, title: str | None, description: str,
    source: str, service_code: str | None, media_url: str | None, attributes: Mapping[str, Any] | None,
    district: str | None, at: datetime | None, secret_key: str, rules: SlaRules | None,
) -> WorkOrder:
    """The case :func:`open_work_order` adds (not yet in the session; title, description, category
    and time already defaulted from the message): district from the message or the text, deadlines
    from the SLA rules."""
    when = at_or_now(at)
    loc = location if isinstance(location, Location) or location is None else Location(
        lat=location.get("lat"), long=location.get("long"), address_string=location.get("address_string"))
    district = district or ((message.meta or {}).get("district") if message else None) or detect_district(
        loc.address_string if loc else None, title, description)
    due_response, due_close = (rules or load_sla_rules(session=session)).due_dates(when, category, priority)
    return WorkOrder(
        token=new_token(), message_id=message.id if message else None, source=source, category=category,
        service_code=service_code, title=title, description=description,
        public_description=mask_text(description, "public"), status="assigned" if dep else "new", priority=priority,
        lead_department_id=dep.id if dep else None, route_confidence=confidence, route_reason=reason,
        district=district, lat=loc.lat if loc else None, long=loc.long if loc else None,
        address_string=loc.address_string if loc else None, media_url=media_url, attributes=dict(attributes or {}),
        contact_id=_store_contact(session, contact, secret_key), created_at=when, updated_at=when,
        due_response_at=due_response, due_close_at=due_close,
    )


def _record_opening(session: Session, wo: WorkOrder, dep: Department | None, *, actor: Actor, reason: str | None,
                    audit: bool) -> None:
    """The history of a case just inserted: ``created``, and ``assigned`` with its lead department."""
    when = wo.created_at
    add_event(session, wo, actor=actor, kind="created", at=when, to_status="new", audit=audit,
              detail={"source": wo.source, "category": wo.category, "priority": wo.priority,
                      "message_id": wo.message_id}, reason=reason)
    if dep is not None:
        session.add(CoHandler(work_order_id=wo.id, department_id=dep.id, role="lead", added_at=when,
                              added_by=actor_name(actor)))
        add_event(session, wo, actor=actor, kind="assigned", at=when, from_status="new", to_status="assigned",
                  department_id=dep.id, detail={"department": dep.code, "confidence": wo.route_confidence},
                  reason=reason, audit=audit)


def open_from_routing(
    session: Session,
    message_id: int,
    department_code: str | None,
    confidence: float | None,
    reason: str | None,
    *,
    threshold: float | None = None,
    actor: Actor = "system:routing",
    rules: SlaRules | None = None,
    category: str | None = None,
) -> WorkOrder:
    """Called after automatic routing: below ``threshold`` (if given) the case goes to the dispatch queue.

    ``category`` is the message's (:func:`message_categories` for a batch), else looked up here."""
    if threshold is not None and (confidence is None or confidence < threshold):
        department_code = None
    return open_work_order(session, message_id=message_id, department_code=department_code, confidence=confidence,
                           reason=reason, actor=actor, rules=rules, category=category)


@dataclass(frozen=True)
class Routed:
    """A routed message without a case: its department, the route's confidence and reason, its category."""

    message: Message
    department_code: str
    confidence: float | None
    reason: str | None
    category: str | None


def open_from_routing_many(session: Session, routed: Sequence[Routed], *, rules: SlaRules,
                           actor: Actor = "system:routing") -> list[WorkOrder]:
    """:func:`open_from_routing` for many routed messages that have no case, the same rows in the same
    order, with one insert of the cases instead of a flush per case.

    Why: ``massline analyze`` spent longer opening the cases of a batch one by one (a query and a
    flush each) than analysing it. On PostgreSQL the insert runs in a savepoint: when another
    process opened one of these cases meanwhile (the unique index on ``message_id``), it is rolled
    back and the cases are opened one by one, each getting the winner's case as before.
    """
    if not routed:
        return []
    authorize(session, actor, "assign")
    codes = list(dict.fromkeys(r.department_code for r in routed))
    # the batch's departments in one query; department_by_code for any it lacks (it may create them)
    found = {d.code: d for d in session.scalars(select(Department).where(Department.code.in_(codes)))}
    deps = {code: found.get(code) or department_by_code(session, code) for code in codes}
    opened: list[tuple[WorkOrder, Department]] = []
    for r in routed:
        title, description, category, at = _with_message_defaults(session, r.message, None, None, r.category, None)
        dep = deps[r.department_code]
        opened.append((_new_work_order(
            session, r.message, dep, category=category, confidence=r.confidence, reason=r.reason, location=None,
            contact=None, priority="normal", title=title, description=description, source="message",
            service_code=None, media_url=None, attributes=None, district=None, at=at, secret_key="", rules=rules),
            dep))
    if session.get_bind().dialect.name != "sqlite":
        try:
            with session.begin_nested():
                session.add_all([wo for wo, _ in opened])
                session.flush()
        except IntegrityError:
            return [open_from_routing(session, r.message.id, r.department_code, r.confidence, r.reason, rules=rules,
                                      category=r.category, actor=actor) for r in routed]
    else:
        session.add_all([wo for wo, _ in opened])
        session.flush()
    _record_openings(session, [(wo, dep, r.reason) for (wo, dep), r in zip(opened, routed, strict=True)], actor=actor)
    return [wo for wo, _ in opened]


def _record_openings(session: Session, opened: Sequence[tuple[WorkOrder, Department, str | None]], *,
                     actor: Actor) -> None:
    """:func:`_record_opening` (with audit) for cases just inserted and flushed, each with its lead
    department: the same rows in the same order — per case its ``created`` event and audit record,
    its lead co-handler, its ``assigned`` event and audit record — as three Core inserts instead of
    five ORM objects per case. Why: the unit of work's flush of those objects cost ``massline
    analyze`` more than inserting the cases. (The caller flushed the session, so nothing pending
    is inserted before these rows, as the ORM would not either.)"""
    name = actor_name(actor)
    events: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []
    leads: list[dict[str, Any]] = []
    for wo, dep, reason in opened:
        when = wo.created_at
        for row in (
            event_rows(wo.id, actor=name, kind="created", at=when, to_status="new", reason=reason,
                       detail={"source": wo.source, "category": wo.category, "priority": wo.priority,
                               "message_id": wo.message_id}),
            event_rows(wo.id, actor=name, kind="assigned", at=when, from_status="new", to_status="assigned",
                       department_id=dep.id, detail={"department": dep.code, "confidence": wo.route_confidence},
                       reason=reason),
        ):
            events.append(row[0])
            audits.append(row[1])
        leads.append({"work_order_id": wo.id, "department_id": dep.id, "role": "lead", "added_at": when,
                      "added_by": name})
    if opened:
        session.execute(insert(cast(Table, WorkOrderEvent.__table__)), events)
        session.execute(insert(cast(Table, AuditEvent.__table__)), audits)
        session.execute(insert(cast(Table, CoHandler.__table__)), leads)
