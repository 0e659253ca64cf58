"""The desk's view of stored messages: the review queue, rumor signals, claim clusters, and the
evidence shown beside one message.

Clusters: messages are grouped under the claim they repeat — automatically matched, or
confirmed by an editor in the review queue — plus their exact and near duplicates (the intake's
``duplicate_of`` links), so the desk sees one claim with its spread: how many messages, where
(the ``district`` the analysis found), first and last seen, per day. Only counts leave this
module for public pages (``public_counts``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.errors import InputError, NotFoundError
from massline.core.types import Result
from massline.db.base import utcnow
from massline.db.models.claims import Claim, ClaimMatchReview
from massline.db.models.message import AnalysisResult, Message
from massline.db.repositories.audit import record_audit
from massline.store.results import current_results, save_results

SHANGHAI = ZoneInfo("Asia/Shanghai")
HUMAN = "human.editor"


def queue_reviews(session: Session, message_id: int, value: Any, score: float | None) -> int:
    """Put an uncertain best candidate in the review queue (once per message and claim)."""
    if not isinstance(value, dict) or not value.get("review") or not value.get("candidates"):
        return 0
    claim_id = value["candidates"][0]["claim_id"]
    claim = session.scalars(select(Claim).where(Claim.claim_id == claim_id)).one_or_none()
    if claim is None:
        return 0
    exists = session.scalars(select(ClaimMatchReview).where(ClaimMatchReview.message_id == message_id,
                                                            ClaimMatchReview.claim_pk == claim.id)).first()
    if exists is not None:
        return 0
    session.add(ClaimMatchReview(message_id=message_id, claim_pk=claim.id, score=float(score or 0.0),
                                 reason="、".join(value.get("words") or [])))
    return 1


@dataclass
class ReviewItem:
    review: ClaimMatchReview
    message: Message
    claim: Claim


def review_queue(session: Session, limit: int = 50, status: str = "pending") -> list[ReviewItem]:
    rows = session.execute(
        select(ClaimMatchReview, Message, Claim).join(Message, Message.id == ClaimMatchReview.message_id)
        .join(Claim, Claim.id == ClaimMatchReview.claim_pk).where(ClaimMatchReview.status == status)
        .order_by(ClaimMatchReview.score.desc(), ClaimMatchReview.id).limit(limit)).all()
    return [ReviewItem(r, m, c) for r, m, c in rows]


def decide_review(session: Session, review_id: int, confirm: bool, *, actor: str, reason: str = "") -> ClaimMatchReview:
    """An editor's decision; a confirmed match becomes the message's current ``claim_match`` (by a person)."""
    review = session.get(ClaimMatchReview, review_id)
    if review is None:
        raise NotFoundError(f"no review item {review_id}")
    if review.status != "pending":
        raise InputError(f"already {review.status}", field="status")
    review.status = "confirmed" if confirm else "rejected"
    review.decided_by, review.decided_at = actor, utcnow()
    claim = session.get(Claim, review.claim_pk)
    assert claim is not None
    if confirm:
        words = review.reason.split("、") if review.reason else []
        value = {"matched": claim.claim_id, "review": False, "words": words,
                 "candidates": [{"claim_id": claim.claim_id, "score": 1.0, "verdict": claim.verdict}]}
        save_results(session, review.message_id, [Result(HUMAN, "1", "claim_match", value, 1.0,
                                                         f"编辑 {actor} 确认: {claim.claim_id}")])
    record_audit(session, actor=actor, action="claim.review", object_type="message", object_id=review.message_id,
                 detail={"claim_id": claim.claim_id, "decision": review.status}, reason=reason or None)
    return review


def _current_rows(session: Session, key: str) -> list[AnalysisResult]:
    return list(session.scalars(select(AnalysisResult).where(AnalysisResult.key == key,
                                                             AnalysisResult.current.is_(True))))


def rumor_signals(session: Session, limit: int = 50) -> list[tuple[Message, AnalysisResult]]:
    rows = [r for r in _current_rows(session, "rumor_signal") if isinstance(r.value, dict) and r.value.get("flag")]
    rows.sort(key=lambda r: -(r.confidence or 0.0))
    rows = rows[:limit]
    messages = {m.id: m for m in session.scalars(select(Message).where(Message.id.in_([r.message_id for r in rows])))}
    return [(messages[r.message_id], r) for r in rows if r.message_id in messages]


def matched_message_ids(session: Session) -> dict[str, list[int]]:
    """claim_id → ids of messages whose current ``claim_match`` names it, plus their duplicates."""
    out: dict[str, list[int]] = {}
    for row in _current_rows(session, "claim_match"):
        if isinstance(row.value, dict) and row.value.get("matched"):
            out.setdefault(str(row.value["matched"]), []).append(row.message_id)
    # An editor's confirmation counts even after a later analysis run rewrote the automatic result.
    confirmed = session.execute(select(Claim.claim_id, ClaimMatchReview.message_id)
                                .join(Claim, Claim.id == ClaimMatchReview.claim_pk)
                                .where(ClaimMatchReview.status == "confirmed")).all()
    for claim_id, mid in confirmed:
        if mid not in out.get(claim_id, []):
            out.setdefault(claim_id, []).append(mid)
    all_ids = {i for ids in out.values() for i in ids}
    if all_ids:
        dups = session.execute(select(Message.id, Message.duplicate_of).where(Message.duplicate_of.in_(all_ids))).all()
        owner = {i: c for c, ids in out.items() for i in ids}
        for mid, of in dups:
            if mid not in owner and of in owner:
                out[owner[of]].append(mid)
    return out


@dataclass
class Cluster:
    """One claim and the messages repeating it (aggregate figures only)."""

    claim: Claim
    count: int
    places: list[tuple[str, int]] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    per_day: list[tuple[str, int]] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)

    def public_counts(self) -> dict[str, Any]:
        """What a public page may show: counts, never messages."""
        return {"count": self.count, "places": [{"place": p, "count": n} for p, n in self.places],
                "first_seen": self.first_seen.isoformat() if self.first_seen else None,
                "last_seen": self.last_seen.isoformat() if self.last_seen else None}


def _cluster(session: Session, claim: Claim, ids: list[int]) -> Cluster:
    messages = list(session.scalars(select(Message).where(Message.id.in_(ids)))) if ids else []
    times = [m.created_at or m.received_at for m in messages]
    times = [t for t in times if t is not None]
    places = Counter(str((m.meta or {}).get("district")) for m in messages if (m.meta or {}).get("district"))
    days = Counter(t.astimezone(SHANGHAI).date().isoformat() for t in times)
    return Cluster(claim=claim, count=len(messages), places=places.most_common(10),
                   first_seen=min(times) if times else None, last_seen=max(times) if times else None,
                   per_day=sorted(days.items()), message_ids=sorted(m.id for m in messages))


def cluster_of(session: Session, claim: Claim) -> Cluster:
    return _cluster(session, claim, matched_message_ids(session).get(claim.claim_id, []))


def clusters(session: Session, limit: int = 50) -> list[Cluster]:
    """Claims with at least one message, most repeated first."""
    ids = matched_message_ids(session)
    claims = {c.claim_id: c for c in session.scalars(select(Claim).where(Claim.claim_id.in_(list(ids))))} if ids else {}
    found = [_cluster(session, claims[cid], mids) for cid, mids in ids.items() if cid in claims]
    found.sort(key=lambda c: (-c.count, c.claim.claim_id))
    return found[:limit]


@dataclass
class MessageEvidence:
    """What the staff console shows beside a message that repeats (or may repeat) a checked claim."""

    claim: Claim
    score: float | None
    words: list[str]
    decided: str  # matched | review


def evidence_for_message(session: Session, message_id: int) -> MessageEvidence | None:
    row = current_results(session, message_id).get("claim_match")
    value = row.value if row is not None and isinstance(row.value, dict) else {}
    claim_id = value.get("matched")
    decided = "matched"
    if not claim_id:
        queued = session.scalars(select(ClaimMatchReview).where(ClaimMatchReview.message_id == message_id,
                                                                ClaimMatchReview.status.in_(("pending", "confirmed")))
                                 .order_by(ClaimMatchReview.status)).first()  # confirmed before pending
        if queued is None:
            return None
        claim = session.get(Claim, queued.claim_pk)
        decided = "matched" if queued.status == "confirmed" else "review"
    else:
        claim = session.scalars(select(Claim).where(Claim.claim_id == claim_id)).one_or_none()
    if claim is None:
        return None
    return MessageEvidence(claim=claim, score=row.confidence if row is not None else None,
                           words=list(value.get("words") or []), decided=decided)
