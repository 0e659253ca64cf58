"""Similar past cases with their replies, for the message page.

Why so simple: a dispatcher wants two or three earlier answers to similar complaints, not a
ranking study. Candidates are recent messages of the same category that already have a reply;
they are scored by the share of this message's character bigrams found in theirs (works for
Chinese without a segmenter, and a short complaint is not penalised against a long one as
Jaccard would) — bounded to a few hundred candidates so the page stays fast on a full archive.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, cast, select
from sqlalchemy.orm import Session

from massline.db.models.message import AnalysisResult, Message
from massline.db.models.workorders import Reply, WorkOrder
from massline.web.pages.queries import CATEGORY_KEY, current_results

CANDIDATES = 300
MIN_SHARE = 0.06


@dataclass(slots=True)
class SimilarCase:
    message_id: int
    title: str
    similarity: float
    reply: str


def _bigrams(text: str) -> set[str]:
    compact = "".join(text.split())
    return {compact[i:i + 2] for i in range(len(compact) - 1)}


def similar_cases(session: Session, message: Message, *, mask: Callable[[str | None], str],
                  limit: int = 3, wall: Any = None) -> list[SimilarCase]:
    """Up to ``limit`` similar answered cases; ``wall`` (SQL on ``Message``) keeps a handler in their department."""
    res = current_results(session, [message.id], (CATEGORY_KEY,)).get(message.id, {})
    category = res.get(CATEGORY_KEY)
    stmt = (
        select(Message.id, Message.title, Message.body, Reply.text)
        .join(WorkOrder, WorkOrder.message_id == Message.id)
        .join(Reply, and_(Reply.work_order_id == WorkOrder.id, Reply.public.is_(True)))
        .where(Message.id != message.id)
    )
    if wall is not None:
        stmt = stmt.where(wall)
    if category is not None:
        stmt = stmt.where(Message.id.in_(
            select(AnalysisResult.message_id).where(
                AnalysisResult.key == CATEGORY_KEY, AnalysisResult.current.is_(True),
                cast(AnalysisResult.value, String) == json.dumps(category.value),
            )
        ))
    rows = session.execute(stmt.order_by(Message.id.desc()).limit(CANDIDATES)).all()
    mine = _bigrams((message.title or "") + (message.body or "")[:300])
    if not mine:
        return []
    scored: list[SimilarCase] = []
    seen: set[int] = set()
    for mid, title, body, reply in rows:
        if mid in seen:
            continue
        seen.add(mid)
        theirs = _bigrams((title or "") + (body or "")[:300])
        if not theirs:
            continue
        sim = len(mine & theirs) / len(mine)
        if sim >= MIN_SHARE:
            scored.append(SimilarCase(mid, mask(title or body[:40]), round(sim, 2), mask(reply)))
    scored.sort(key=lambda s: -s.similarity)
    return scored[:limit]
