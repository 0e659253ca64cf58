"""Replaying answered messages (泰迪杯 附件4: 答复意见 + 答复时间) as closed work orders.

Each message whose ``meta`` carries ``reply`` and ``reply_time`` becomes a case received at the
message's ``created_at``, assigned to the department of its category, answered (publicly) and
closed at the reply time — the first response *is* the reply, since the data has no earlier
acknowledgement. Deadlines come from the SLA rules, so 响应率/解决率 and time-to-reply are the
real figures of that platform under our rules. 附件4 holds no satisfaction ratings: 满意率 stays
empty until requesters rate through the portal.

Why events are written directly instead of through ``lifecycle``: the state machine guards
*live* actions by staff; these are facts that already happened (no one "accepted" the case in
the data), so inventing an ``accepted`` step would falsify the history.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.errors import InputError
from massline.db.models.message import Message
from massline.db.models.workorders import Reply, WorkOrder
from massline.db.repositories.audit import record_audit
from massline.privacy import mask_text
from massline.serve._common import add_event
from massline.serve.cases import message_category, message_received_at, open_work_order
from massline.serve.departments import department_for_category
from massline.serve.sla import SlaRules, as_utc, load_sla_rules

ACTOR = "import"


def _reply_time(value: object, local: tzinfo) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip().replace("/", "-"))
        except ValueError:
            raise InputError(f"unrecognised date {value!r}", field="reply_time") from None
    return as_utc(parsed if parsed.tzinfo else parsed.replace(tzinfo=local))


def import_replies(session: Session, *, rules: SlaRules | None = None, limit: int | None = None) -> int:
    """Create closed work orders for answered messages that have none yet; returns how many were created."""
    rules = rules or load_sla_rules(session=session)
    done = select(WorkOrder.message_id).where(WorkOrder.message_id.is_not(None))
    stmt = select(Message).where(Message.id.not_in(done)).order_by(Message.id)
    created = skipped = 0
    routes: dict[str | None, str | None] = {}
    for message in session.scalars(stmt).all():
        meta = message.meta or {}
        text, when = meta.get("reply"), meta.get("reply_time")
        if not text or not str(text).strip() or not when:
            continue
        try:
            replied_at = _reply_time(when, rules.timezone)
        except InputError:
            skipped += 1
            continue
        received = message_received_at(message)
        category = message_category(session, message)
        if category not in routes:  # one lookup per category, not per message (round trips dominate on PG)
            dep = department_for_category(session, category)
            routes[category] = dep.code if dep else None
        wo = open_work_order(session, message_id=message.id, category=category,
                             department_code=routes[category], actor=ACTOR, source="import", at=received,
                             rules=rules, audit=False, reason="imported answered message")
        _replay_answer(session, wo, str(text), replied_at)
        created += 1
        if limit is not None and created >= limit:
            break
    categorised = _categorise_imported(session)
    record_audit(session, actor=ACTOR, action="workorder.import",
                 detail={"created": created, "skipped": skipped, "categorised": categorised})
    session.flush()
    return created


def _categorise_imported(session: Session) -> int:
    """Give imported cases imported before the classifier ran their category and department now.

    Only cases that never had a category are touched (an ``categorised`` event records it), so a
    later re-run of the classifier cannot silently rewrite a case's history.
    """
    count = 0
    stmt = select(WorkOrder, Message).join(Message, Message.id == WorkOrder.message_id).where(
        WorkOrder.source == "import", WorkOrder.category.is_(None))
    for wo, message in session.execute(stmt).all():
        category = message_category(session, message)
        if category is None:
            continue
        dep = department_for_category(session, category)
        wo.category = category
        wo.lead_department_id = dep.id if dep else None
        add_event(session, wo, actor=ACTOR, kind="categorised", at=wo.updated_at,
                  department_id=wo.lead_department_id, detail={"category": category}, audit=False)
        count += 1
    return count


def _replay_answer(session: Session, wo: WorkOrder, text: str, at: datetime) -> None:
    public_text = mask_text(text, "public")
    session.add(Reply(work_order_id=wo.id, at=at, author=ACTOR, department_id=wo.lead_department_id, text=text,
                      public_text=public_text, public=True,
                      pii_check={"found": [], "masked": public_text != text}))
    add_event(session, wo, actor=ACTOR, kind="replied", at=at, from_status=wo.status, to_status="replied",
              department_id=wo.lead_department_id, detail={"public": True, "imported": True}, audit=False)
    add_event(session, wo, actor=ACTOR, kind="closed", at=at, from_status="replied", to_status="closed",
              department_id=wo.lead_department_id, detail={"close_reason": "resolved", "imported": True}, audit=False)
    wo.status, wo.close_reason = "closed", "resolved"
    wo.first_response_at = wo.replied_at = wo.closed_at = at
