"""Readers' reactions, comments (pre-moderated) and "ask about this" questions on published posts.

Privacy: a reaction stores a keyed hash of (day, client) — enough to keep one vote per reader per
post per day and to count distinct readers per day, useless for following anyone across days. A
comment is stored as written for the moderators and shown only as its public mask, only once a
moderator approved it; rejecting keeps the row with the reason (answer-don't-erase: a later
moderator can approve it after all). A question about a post becomes a citizen request through
:func:`massline.serve.requests.receive_request`, so it is stored raw, cleaned, analysed and routed
like any other message.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.core.errors import InputError, NotFoundError, TransitionError
from massline.db.base import utcnow
from massline.db.models.publish import Comment, Post, Reaction
from massline.db.models.workorders import WorkOrder
from massline.db.repositories.audit import record_audit
from massline.privacy import mask_text
from massline.serve.metrics import LOCAL_TZ
from massline.serve.sla import as_utc

REACTIONS: Final = ("helpful", "not_helpful")
REACTION_NAMES: Final = {"helpful": "有帮助", "not_helpful": "没帮助"}
MAX_COMMENT: Final = 1000
MAX_QUESTION: Final = 2000


def _published(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None or post.status != "published":
        raise NotFoundError(f"post {post_id} is not published")
    return post


def client_day(secret: str, client: str, now: datetime) -> str:
    day = as_utc(now).astimezone(LOCAL_TZ).date().isoformat()
    return hmac.new(secret.encode(), f"{day}|{client}".encode(), hashlib.sha256).hexdigest()[:32]


def react(session: Session, post_id: int, value: str, *, client: str, secret: str,
          now: datetime | None = None) -> Reaction:
    """One vote per reader per post per day; a second vote the same day changes the first."""
    if value not in REACTIONS:
        raise InputError(f"expected one of {', '.join(REACTIONS)}", field="value")
    _published(session, post_id)
    when = now or utcnow()
    ref = client_day(secret, client, when)
    row = session.scalar(select(Reaction).where(Reaction.post_id == post_id, Reaction.client_day == ref))
    if row is None:
        row = Reaction(post_id=post_id, value=value, client_day=ref, at=when)
        session.add(row)
    else:
        row.value, row.at = value, when
    session.flush()
    return row


def reaction_counts(session: Session, post_id: int) -> dict[str, int]:
    counts = dict.fromkeys(REACTIONS, 0)
    for value, n in session.execute(select(Reaction.value, func.count()).where(Reaction.post_id == post_id)
                                    .group_by(Reaction.value)):
        counts[str(value)] = int(n)
    return counts


def add_comment(session: Session, post_id: int, body: str) -> Comment:
    """A pending comment (shown after approval, masked)."""
    _published(session, post_id)
    text = (body or "").strip()
    if not text or "\x00" in text:
        raise InputError("must not be empty" if not text else "contains a NUL character", field="body")
    if len(text) > MAX_COMMENT:
        raise InputError(f"longer than {MAX_COMMENT} characters", field="body")
    row = Comment(post_id=post_id, body=text, public_body=mask_text(text, "public"), status="pending", at=utcnow())
    session.add(row)
    session.flush()
    return row


def moderate(session: Session, comment_id: int, *, decision: str, actor: str, reason: str | None = None) -> Comment:
    """Approve or reject (reason required); reversible, audited."""
    row = session.get(Comment, comment_id)
    if row is None:
        raise NotFoundError(f"comment {comment_id} does not exist")
    if decision not in ("approved", "rejected"):
        raise InputError("expected approved or rejected", field="decision")
    if decision == "rejected" and not (reason or "").strip():
        raise InputError("a reason is required to reject a comment", field="reason")
    if row.status == decision:
        raise TransitionError(f"comment {comment_id} is already {decision}")
    before = row.status
    row.status, row.moderated_by, row.moderated_at = decision, actor, utcnow()
    row.reason = (reason or "").strip() or None
    record_audit(session, actor=actor, action="comment.moderate", object_type="comment", object_id=row.id,
                 detail={"from": before, "to": decision, "post": row.post_id}, reason=row.reason)
    session.flush()
    return row


def approved_comments(session: Session, post_id: int) -> list[Comment]:
    return list(session.scalars(select(Comment).where(Comment.post_id == post_id, Comment.status == "approved")
                                .order_by(Comment.at)))


def comments_for_moderation(session: Session, status: str = "pending", limit: int = 200) -> list[Comment]:
    return list(session.scalars(select(Comment).where(Comment.status == status).order_by(Comment.at)
                                .limit(limit)))


def ask_about(session: Session, settings: Settings, post_id: int, question: str, *,
              contact: Mapping[str, Any] | None = None) -> WorkOrder:
    """A reader's question about a post → a request through the normal intake; its work order
    (routing pending: the caller commits and has it routed, as for the portal)."""
    from massline.serve.cases import ContactInfo
    from massline.serve.requests import receive_request

    post = _published(session, post_id)
    text = (question or "").strip()
    if not text:
        raise InputError("must not be empty", field="question")
    if len(text) > MAX_QUESTION:
        raise InputError(f"longer than {MAX_QUESTION} characters", field="question")
    title = f"关于《{post.title[:40]}》的提问"
    district = (post.districts or [None])[0]
    record = {"post_id": post.id, "title": title, "description": text, "district": district}
    info = ContactInfo(**{k: v for k, v in (contact or {}).items() if v}) if contact else None
    return receive_request(session, settings, channel="web", service_code=None, category=None, title=title,
                           description=text, contact=info, attributes={"post_id": post.id, "public_reply": "no"},
                           district=district, raw_record=record)
