"""Similar past cases with their replies: what was done last time for the same problem.

Why BM25 over jieba words plus the intake's near-duplicate links: handlers search by the
concrete words of a complaint (an estate, a road, "噪音", "停车费"), which BM25 weighs by how
rare they are; the near-duplicate links (MinHash LSH over character 3-grams, computed once at
intake by :mod:`massline.store.dedup`) catch the same text sent again. Character bigram overlap,
used before, ranked long generic replies too high.

The index covers messages whose case has a public reply. It is rebuilt when that set changes
(keyed by its size and newest reply), so every process answers from the database's current state.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from massline.analyze.segment import cut
from massline.db.models.message import Message
from massline.db.models.users import Department
from massline.db.models.workorders import Rating, Reply, WorkOrder

K1, B = 1.5, 0.75
#: Characters of the body that go into the index (the gist of a complaint is at its start).
BODY_CHARS = 400


def _tokens(text: str) -> list[str]:
    return [w for w in cut(text) if len(w) >= 2 or w.isalnum()]


@dataclass(slots=True)
class Hit:
    index: int
    score: float


class BM25Index:
    """Okapi BM25 over a sparse term matrix: one sparse × dense product per query."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.vectorizer = CountVectorizer(tokenizer=_tokens, lowercase=False, token_pattern=None)
        tf = sparse.csr_matrix(self.vectorizer.fit_transform(texts), dtype=np.float32) if texts else \
            sparse.csr_matrix((0, 0), dtype=np.float32)
        n = tf.shape[0]
        lengths = np.asarray(tf.sum(axis=1)).ravel()
        avg = float(lengths.mean()) if n else 1.0
        df = np.bincount(tf.indices, minlength=tf.shape[1]) if n else np.zeros(0)
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        # BM25 term weights precomputed per (doc, term): tf·(k1+1) / (tf + k1·(1 − b + b·len/avg))
        denom = tf.copy()
        row_norm = K1 * (1 - B + B * lengths / max(avg, 1e-9))
        denom.data = denom.data + np.repeat(row_norm, np.diff(tf.indptr)).astype(np.float32)
        weights = tf.copy()
        weights.data = tf.data * (K1 + 1) / denom.data
        self.weights = weights.tocsc()
        self.size = n

    def query(self, text: str, limit: int) -> list[Hit]:
        if not self.size:
            return []
        q = self.vectorizer.transform([text])
        terms = q.indices
        if len(terms) == 0:
            return []
        scores = np.asarray(self.weights[:, terms] @ self.idf[terms]).ravel()
        top = np.argpartition(-scores, min(limit, len(scores) - 1))[:limit]
        return [Hit(int(i), float(scores[i])) for i in sorted(top, key=lambda i: -scores[i]) if scores[i] > 0]


@dataclass(slots=True)
class Entry:
    message_id: int
    work_order_id: int
    department_id: int | None
    department: str | None
    status: str
    rating: str | None
    reopened: bool
    title: str
    reply: str
    duplicate_of: int | None


@dataclass(slots=True)
class SimilarCase:
    message_id: int
    work_order_id: int
    title: str
    reply: str
    score: float
    department: str | None
    status: str
    rating: str | None
    reopened: bool
    same_department: bool
    near_duplicate: bool


_cache: dict[tuple[Any, ...], tuple[BM25Index, list[Entry]]] = {}
_lock = threading.Lock()


def message_text(title: str | None, body: str | None) -> str:
    return f"{title or ''} {(body or '')[:BODY_CHARS]}"


def _state(session: Session) -> tuple[Any, ...]:
    count, newest = session.execute(select(func.count(Reply.id), func.max(Reply.id))
                                    .where(Reply.public.is_(True))).one()
    return str(session.get_bind().engine.url), int(count or 0), newest


def _build(session: Session) -> tuple[BM25Index, list[Entry]]:
    rows = session.execute(
        select(Message.id, Message.title, Message.body, Message.duplicate_of, WorkOrder.id,
               WorkOrder.lead_department_id, Department.name, WorkOrder.status, WorkOrder.reopen_count, Reply.text)
        .join(WorkOrder, WorkOrder.message_id == Message.id)
        .outerjoin(Department, Department.id == WorkOrder.lead_department_id)
        .join(Reply, and_(Reply.work_order_id == WorkOrder.id, Reply.public.is_(True)))
        .order_by(Reply.id)
    ).all()
    latest: dict[int, Any] = {}
    for row in rows:  # the newest public reply of each case
        latest[row[0]] = row
    ratings = _ratings(session, [r[4] for r in latest.values()])
    entries = [Entry(mid, wo, dept_id, dept, status, ratings.get(wo), bool(reopens), title or (body or "")[:40], text,
                     dup) for mid, title, body, dup, wo, dept_id, dept, status, reopens, text in latest.values()]
    texts = [message_text(r[1], r[2]) for r in latest.values()]
    return BM25Index(texts), entries


def _ratings(session: Session, work_order_ids: list[int]) -> dict[int, str]:
    """The latest rating of each case (a requester may rate again; the last one counts)."""
    out: dict[int, str] = {}
    if not work_order_ids:
        return out
    for wo, value in session.execute(select(Rating.work_order_id, Rating.value)
                                     .where(Rating.work_order_id.in_(work_order_ids)).order_by(Rating.id)):
        out[wo] = str(value)
    return out


def index_for(session: Session) -> tuple[BM25Index, list[Entry]]:
    key = _state(session)
    with _lock:
        hit = _cache.get(key)
    if hit is None:
        hit = _build(session)
        with _lock:
            _cache.clear()
            _cache[key] = hit
    return hit


def similar_cases(session: Session, message: Message, *, department_id: int | None = None,
                  limit: int = 5) -> list[SimilarCase]:
    """Top ``limit`` answered cases like ``message``; near duplicates first, then the handler's department."""
    index, entries = index_for(session)
    root = message.duplicate_of or message.id
    hits = index.query(message_text(message.title, message.body), limit * 4)
    out = []
    for hit in hits:
        e = entries[hit.index]
        if e.message_id == message.id:
            continue
        near = (e.duplicate_of or e.message_id) == root
        out.append(SimilarCase(e.message_id, e.work_order_id, e.title, e.reply, round(hit.score, 2), e.department,
                               e.status, e.rating, e.reopened,
                               department_id is not None and e.department_id == department_id,
                               near))
    out.sort(key=lambda c: (not c.near_duplicate, not c.same_department, -c.score))
    return out[:limit]
