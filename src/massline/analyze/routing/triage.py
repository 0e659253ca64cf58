"""The triage queue and the dispatcher's decision.

A message is in the queue while its current ``route`` result says ``queue == "triage"``. A
decision is stored as a :class:`TriageDecision` row (who, why, what it replaced), as new
current ``category``/``route``/``department`` results from component ``human.dispatcher``
(confidence 1.0, so later model runs do not overwrite them — see ``analyze_messages``), and
as an audit event ``triage.decide``. When the work-order feature is installed, the case is
assigned to the department (see ``handoff``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from massline.analyze.routing.handoff import hand_off
from massline.analyze.routing.table import current_rules, known_department, load_config
from massline.core.errors import InputError, NotFoundError
from massline.core.types import Result
from massline.db.models.message import AnalysisResult, Message
from massline.db.models.routing import TriageDecision
from massline.db.repositories.audit import record_audit
from massline.store.results import current_results, save_results

HUMAN = "human.dispatcher"
HUMAN_VERSION = "1"


@dataclass
class TriageItem:
    """One waiting message with what the machine thought and why it was not sure."""

    message_id: int
    title: str | None
    excerpt: str
    category: str | None
    confidence: float | None
    reason: str
    received_at: Any
    department: str | None = None  # where the suggested category would go by the routing rules
    external_id: str | None = None  # the source's own id (留言编号)


def _queue_filter() -> Any:
    return (
        AnalysisResult.key == "route",
        AnalysisResult.current.is_(True),
        AnalysisResult.value["queue"].as_string() == "triage",
    )


def current_route(session: Session, message_id: int) -> dict[str, Any] | None:
    """The message's route now: ``{department, queue, category, confidence, reason, component, version}``.

    ``queue`` is "auto" (routed by the model), "triage" (waiting; department None) or "decided"
    (a dispatcher chose); None when the message has not been analysed.
    """
    row = current_results(session, message_id).get("route")
    if row is None:
        return None
    return {**(row.value or {}), "confidence": row.confidence, "reason": row.reason, "component": row.component,
            "version": row.version}


def triage_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AnalysisResult).where(*_queue_filter())) or 0)


def triage_queue(session: Session, limit: int = 50, offset: int = 0) -> list[TriageItem]:
    """Waiting messages, oldest first."""
    if limit < 1 or offset < 0:
        raise InputError("limit must be ≥ 1 and offset ≥ 0", field="limit")
    rows = session.execute(
        select(AnalysisResult, Message)
        .join(Message, Message.id == AnalysisResult.message_id)
        .where(*_queue_filter())
        .order_by(Message.received_at, Message.id)
        .limit(limit)
        .offset(offset)
    ).all()
    rules = current_rules(session) if rows else {}
    items = []
    for route, message in rows:
        value = route.value or {}
        body = " ".join((message.body or "").split())
        category = value.get("category")
        items.append(TriageItem(message.id, message.title, body[:120], category, route.confidence, route.reason,
                                message.received_at, rules.get(category) if category else None,
                                message.external_id))
    return items


def decide(
    session: Session,
    message_id: int,
    category: str | None = None,
    department: str | None = None,
    actor: str = "",
    reason: str | None = None,
) -> TriageDecision:
    """Record a dispatcher's decision: category (and department, default from the routing rules).

    ``category`` None or empty confirms the machine's suggestion (the current category result).
    """
    if not actor or not actor.strip():
        raise InputError("say who decides", field="actor")
    message = session.get(Message, message_id)
    if message is None:
        raise NotFoundError(f"message {message_id} does not exist")
    rules = current_rules(session)
    before = current_results(session, message_id)
    category = (category or "").strip()
    if not category and "category" in before and before["category"].value:
        category = str(before["category"].value)
    if not category:
        raise InputError("no category given and none suggested for this message", field="category")
    if category not in rules:
        raise InputError(f"unknown category {category!r}; known: {', '.join(sorted(rules))}", field="category")
    department = (department or rules[category]).strip()
    if not known_department(session, department, load_config()):
        raise InputError(f"unknown department {department!r}", field="department")
    previous = {
        key: {"value": row.value, "confidence": row.confidence, "component": row.component, "version": row.version}
        for key, row in before.items()
        if key in ("category", "route", "department")
    }
    decision = TriageDecision(message_id=message_id, category=category, department_code=department, actor=actor,
                              reason=reason, previous=previous)
    session.add(decision)
    why = f"分拨员 {actor} 决定" + (f"：{reason}" if reason else "")
    save_results(session, message_id, [
        Result(HUMAN, HUMAN_VERSION, "category", category, 1.0, why),
        Result(HUMAN, HUMAN_VERSION, "route", {"department": department, "queue": "decided", "category": category},
               1.0, why),
        Result(HUMAN, HUMAN_VERSION, "department", department, 1.0, why),
    ])
    session.flush()
    record_audit(session, actor=actor, action="triage.decide", object_type="message", object_id=message_id,
                 detail={"category": category, "department": department,
                         "previous": {k: v["value"] for k, v in previous.items()}}, reason=reason)
    hand_off(session, decision)
    return decision


def decided_message_ids(session: Session, message_ids: list[int]) -> set[int]:
    """Which of ``message_ids`` a dispatcher has decided (their category/route are kept on re-analysis)."""
    if not message_ids:
        return set()
    return set(session.scalars(select(TriageDecision.message_id).where(TriageDecision.message_id.in_(message_ids))))
