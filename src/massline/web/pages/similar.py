"""Similar past cases for the message page: :mod:`massline.serve.similar`, masked for the viewer.

The search itself (BM25 over jieba words, near-duplicate links first, the viewer's department
next) lives in the serve layer so the CLI, the API and the pages rank alike; this module only
masks what the viewer may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.db.models.message import Message
from massline.serve import similar


@dataclass(slots=True)
class SimilarCase:
    message_id: int
    work_order_id: int
    title: str
    similarity: float
    reply: str
    department: str | None
    status: str
    rating: str | None
    reopened: bool
    near_duplicate: bool


def similar_cases(session: Session, message: Message, *, mask: Callable[[str | None], str],
                  department_id: int | None = None, limit: int = 5, wall: Any = None) -> list[SimilarCase]:
    """Up to ``limit`` similar answered cases; ``wall`` (SQL on ``Message``, see ``walls.message_wall``) keeps a
    handler to the cases of their own department."""
    found = similar.similar_cases(session, message, department_id=department_id,
                                  limit=limit if wall is None else limit * 4)
    if wall is not None and found:
        allowed = set(session.scalars(select(Message.id).where(Message.id.in_([c.message_id for c in found]), wall)))
        found = [c for c in found if c.message_id in allowed]
    return [SimilarCase(c.message_id, c.work_order_id, mask(c.title), c.score, mask(c.reply), c.department, c.status,
                        c.rating, c.reopened, c.near_duplicate) for c in found[:limit]]
