"""Dispatcher-confirmed labels as training data for the next ``massline train classify``.

Only the newest decision per message counts (a dispatcher may correct themselves); the text
is built exactly as the classifier builds it at prediction time (``classifier_text``).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from massline.analyze.category import classifier_text
from massline.db.models.message import Message
from massline.db.models.routing import TriageDecision


def confirmed_examples(session: Session) -> list[tuple[str, str]]:
    """``(classifier_text(title, body), category)`` for every message a dispatcher decided."""
    latest = (
        select(TriageDecision.message_id, func.max(TriageDecision.id).label("last_id"))
        .group_by(TriageDecision.message_id)
        .subquery()
    )
    rows = session.execute(
        select(Message.title, Message.body, TriageDecision.category)
        .join(latest, latest.c.last_id == TriageDecision.id)
        .join(Message, Message.id == TriageDecision.message_id)
        .order_by(TriageDecision.id)
    ).all()
    return [(classifier_text(title, body or ""), category) for title, body, category in rows]
