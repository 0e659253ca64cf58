"""Posts of the media centre: write, review, check for personal data, publish (now or later), archive.

States: ``draft`` → ``review`` → ``approved`` → ``published`` (or ``scheduled`` → ``published`` at
its time) → ``archived``. Editors write and submit; a reviewer (or another editor) approves —
nobody approves their own post; an approved post is published by a reviewer or editor. Every
saved change is a numbered revision (diffable), every step a :class:`PostEvent` and an audit event.

Why the personal-data check sits at publication (and again when a scheduled post goes live):
that is the moment text leaves the institution. Findings block until the text is masked
(:func:`mask_pii`, a new revision) or a reviewer waives them with a reason (:func:`waive_pii`,
audited) — the waiver holds only for the exact text it was given for.

Publishing changes state only; what goes *out* (webhooks, e-mail) is done after the commit by
:func:`massline.publish.schedule.announce`, so a slow receiver never holds a transaction.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.errors import InputError, NotFoundError, PermissionDenied, TransitionError
from massline.db.base import utcnow
from massline.db.models.publish import Post, PostEvent, PostRevision
from massline.db.models.users import User
from massline.db.models.workorders import Reply, WorkOrder
from massline.db.repositories.audit import record_audit
from massline.privacy import find_pii, mask_text
from massline.serve.roles import can
from massline.serve.sla import as_utc

KINDS: Final = ("notice", "explainer", "reply", "correction")
KIND_NAMES: Final = {"notice": "通知公告", "explainer": "政策解读", "reply": "公开答复", "correction": "更正说明"}
STATUSES: Final = ("draft", "review", "approved", "scheduled", "published", "archived")
STATUS_NAMES: Final = {"draft": "草稿", "review": "待审核", "approved": "已通过", "scheduled": "定时发布",
                       "published": "已发布", "archived": "已归档"}
MAX_TITLE: Final = 200
MAX_BODY: Final = 100_000
MAX_TAGS: Final = 10


class PersonalDataFound(TransitionError):
    """Publication refused: the text carries personal data that is neither masked nor waived."""


@dataclass(frozen=True)
class PiiStatus:
    found: dict[str, int]
    waived: str | None

    @property
    def blocking(self) -> bool:
        return bool(self.found) and self.waived is None


# ---------------------------------------------------------------- helpers


def _now(now: datetime | None) -> datetime:
    return as_utc(now) if now is not None else utcnow()


def _tags(values: Iterable[str] | None, field: str) -> list[str]:
    out: list[str] = []
    for v in values or ():
        v = str(v).strip()
        if not v:
            continue
        if "\x00" in v:
            raise InputError("contains a NUL character", field=field)
        if len(v) > 50:
            raise InputError(f"{v[:20]!r}… is longer than 50 characters", field=field)
        if v not in out:
            out.append(v)
    if len(out) > MAX_TAGS:
        raise InputError(f"at most {MAX_TAGS} values", field=field)
    return out


def _text(title: str, body: str) -> tuple[str, str]:
    title = (title or "").strip()
    if not title:
        raise InputError("must not be empty", field="title")
    if len(title) > MAX_TITLE:
        raise InputError(f"longer than {MAX_TITLE} characters", field="title")
    if len(body or "") > MAX_BODY:
        raise InputError(f"longer than {MAX_BODY} characters", field="body")
    for name, value in (("title", title), ("body", body or "")):
        if "\x00" in value:
            raise InputError("contains a NUL character", field=name)
    return title, body or ""


def content_hash(post: Post) -> str:
    return hashlib.sha256(f"{post.title}\n{post.body}".encode()).hexdigest()


def _require(user: User, action: str) -> None:
    if not can(user, action):
        raise PermissionDenied(f"user {user.username!r} (role {user.role}) may not {action.replace('_', ' ')}")


def _event(session: Session, post: Post, actor: User | str, kind: str, *, to: str | None = None,
           reason: str | None = None, at: datetime | None = None, detail: dict[str, Any] | None = None) -> None:
    name = actor.username if isinstance(actor, User) else actor
    before = post.status
    if to is not None:
        post.status = to
    when = at or utcnow()
    post.updated_at = when
    session.add(PostEvent(post_id=post.id, at=when, actor=name, kind=kind, from_status=before,
                          to_status=post.status, reason=reason))
    record_audit(session, actor=name, action=f"post.{kind}", object_type="post", object_id=post.id,
                 detail={"from": before, "to": post.status, **(detail or {})}, reason=reason)


def _state(post: Post, allowed: Sequence[str], action: str) -> None:
    if post.status not in allowed:
        raise TransitionError(f"post {post.id} is {post.status}; {action} needs status {' or '.join(allowed)}")


def _revision(session: Session, post: Post, author: str, note: str | None) -> PostRevision:
    rev = PostRevision(post_id=post.id, number=post.revision, title=post.title, body=post.body,
                       topics=list(post.topics), districts=list(post.districts), author=author, note=note)
    session.add(rev)
    return rev


def get_post(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFoundError(f"post {post_id} does not exist")
    return post


# ---------------------------------------------------------------- writing


def create_post(session: Session, *, kind: str, title: str, body: str, actor: User,
                topics: Iterable[str] | None = None, districts: Iterable[str] | None = None,
                work_order_id: int | None = None, corrects_id: int | None = None) -> Post:
    """A new draft (revision 1)."""
    _require(actor, "post_write")
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}", field="kind")
    title, body = _text(title, body)
    if corrects_id is not None:
        get_post(session, corrects_id)
    now = utcnow()
    post = Post(kind=kind, title=title, body=body, topics=_tags(topics, "topic"),
                districts=_tags(districts, "district"), status="draft", author=actor.username, revision=1,
                work_order_id=work_order_id,
                corrects_id=corrects_id, pii_check={}, created_at=now, updated_at=now)
    session.add(post)
    session.flush()
    _revision(session, post, actor.username, "created")
    _event(session, post, actor, "create", at=now, detail={"kind": kind})
    session.flush()
    return post


def edit_post(session: Session, post: Post, *, actor: User, title: str | None = None, body: str | None = None,
              topics: Iterable[str] | None = None, districts: Iterable[str] | None = None,
              note: str | None = None) -> Post:
    """Save a new revision. A post under review or approved goes back to draft (it must be reviewed again)."""
    _require(actor, "post_write")
    _state(post, ("draft", "review", "approved"), "editing")
    new_title, new_body = _text(post.title if title is None else title, post.body if body is None else body)
    new_topics = list(post.topics) if topics is None else _tags(topics, "topic")
    new_districts = list(post.districts) if districts is None else _tags(districts, "district")
    if (new_title, new_body, new_topics, new_districts) == (post.title, post.body, list(post.topics),
                                                            list(post.districts)):
        return post
    post.title, post.body, post.topics, post.districts = new_title, new_body, new_topics, new_districts
    post.revision += 1
    post.reviewer = None
    _revision(session, post, actor.username, note)
    _event(session, post, actor, "edit", to="draft", reason=note, detail={"revision": post.revision})
    session.flush()
    return post


def submit(session: Session, post: Post, *, actor: User) -> Post:
    _require(actor, "post_write")
    _state(post, ("draft",), "submitting for review")
    _event(session, post, actor, "submit", to="review")
    session.flush()
    return post


def approve(session: Session, post: Post, *, actor: User, note: str | None = None) -> Post:
    """Review passed. Refused for the post's author and for anyone who wrote one of its revisions."""
    _require(actor, "post_review")
    _state(post, ("review",), "approval")
    writers = set(session.scalars(select(PostRevision.author).where(PostRevision.post_id == post.id)))
    if actor.username == post.author or actor.username in writers:
        raise PermissionDenied(f"user {actor.username!r} wrote post {post.id} and may not approve it; "
                               "another reviewer or editor must")
    post.reviewer = actor.username
    _event(session, post, actor, "approve", to="approved", reason=note)
    session.flush()
    return post


def reject(session: Session, post: Post, *, actor: User, reason: str) -> Post:
    _require(actor, "post_review")
    _state(post, ("review", "approved", "scheduled"), "sending back")
    if not reason or not reason.strip():
        raise InputError("a reason is required to send a post back", field="reason")
    post.publish_at = None
    _event(session, post, actor, "reject", to="draft", reason=reason.strip())
    session.flush()
    return post


# ---------------------------------------------------------------- personal data


def pii_status(post: Post) -> PiiStatus:
    """What the privacy feature finds in title + body, and whether a waiver covers this exact text."""
    found: dict[str, int] = {}
    for text in (post.title, post.body):
        for f in find_pii(text):
            found[f.type] = found.get(f.type, 0) + 1
    check = post.pii_check or {}
    waived = check.get("waived") if check.get("content") == content_hash(post) else None
    return PiiStatus(found=found, waived=waived)


def mask_pii(session: Session, post: Post, *, actor: User) -> Post:
    """Replace the personal data in title and body by its public mask (a new revision)."""
    _require(actor, "post_write")
    _state(post, ("draft", "review", "approved", "scheduled"), "masking")
    before = pii_status(post).found
    title, body = mask_text(post.title, "public"), mask_text(post.body, "public")
    if (title, body) == (post.title, post.body):
        return post
    post.title, post.body = title, body
    post.revision += 1
    _revision(session, post, actor.username, "personal data masked")
    _event(session, post, actor, "pii_mask", detail={"pii": before, "revision": post.revision})
    session.flush()
    return post


def waive_pii(session: Session, post: Post, *, actor: User, reason: str) -> Post:
    """Accept the findings for this exact text (e.g. an office's public phone number); reason required, audited."""
    _require(actor, "post_review")
    if not reason or not reason.strip():
        raise InputError("a reason is required to publish personal data", field="reason")
    status = pii_status(post)
    post.pii_check = {"found": status.found, "content": content_hash(post), "waived": reason.strip()[:500],
                      "by": actor.username, "at": utcnow().isoformat()}
    _event(session, post, actor, "pii_waive", reason=reason.strip()[:500], detail={"pii": status.found})
    session.flush()
    return post


def _check_pii(post: Post) -> None:
    status = pii_status(post)
    if status.blocking:
        kinds = ", ".join(f"{k} ×{n}" for k, n in sorted(status.found.items()))
        raise PersonalDataFound(f"post {post.id} contains personal data ({kinds}); mask it "
                                f"(massline posts mask {post.id}) or have a reviewer waive it with a reason")


# ---------------------------------------------------------------- publishing


def publish(session: Session, post: Post, *, actor: User, at: datetime | None = None,
            until: datetime | None = None, now: datetime | None = None) -> Post:
    """Publish an approved post now, or schedule it (``at`` in the future); ``until`` archives it later."""
    _require(actor, "post_publish")
    _state(post, ("approved", "scheduled"), "publishing")
    current = _now(now)
    when, end = _when(at, "at"), _when(until, "until")
    if end is not None and end <= (when or current):
        raise InputError("the unpublish time must be after the publish time", field="until")
    _check_pii(post)
    post.unpublish_at = end
    if when is not None and when > current:
        post.publish_at = when
        _event(session, post, actor, "schedule", to="scheduled", detail={"at": when.isoformat()})
    else:
        _go_live(session, post, actor, current)
    session.flush()
    return post


def _when(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        when = as_utc(value)
    except (OverflowError, ValueError) as exc:
        raise InputError(f"not a usable time: {exc}", field=field) from exc
    if not 2000 <= when.year <= 2200:
        raise InputError("must be between the years 2000 and 2200", field=field)
    return when


def _go_live(session: Session, post: Post, actor: User | str, now: datetime) -> None:
    from massline.publish.webhooks import enqueue_post_event  # the outbox: rows now, HTTP after commit

    post.published_at = now
    post.publish_at = None
    _event(session, post, actor, "publish", to="published", at=now)
    enqueue_post_event(session, post, "post.published", now=now)


def archive(session: Session, post: Post, *, actor: User | str, reason: str | None = None,
            now: datetime | None = None) -> Post:
    """Take a post off the public pages and feeds (it stays readable to staff; answer-don't-erase)."""
    if isinstance(actor, User):
        _require(actor, "post_publish")
    _state(post, ("published", "scheduled", "approved", "draft"), "archiving")
    when = _now(now)
    post.archived_at = when
    post.unpublish_at = None
    _event(session, post, actor, "archive", to="archived", reason=reason, at=when)
    session.flush()
    return post


def run_scheduled(session: Session, now: datetime | None = None) -> dict[str, list[int]]:
    """Publish the scheduled posts whose time has come and archive the ones whose end has come.

    A scheduled post is checked for personal data again (its text may have changed since it was
    scheduled only by masking, but a waiver could have been for older text): when it is blocked it
    goes back to ``approved`` with the reason, instead of going out.
    """
    current = _now(now)
    out: dict[str, list[int]] = {"published": [], "archived": [], "blocked": []}
    due = session.scalars(select(Post).where(Post.status == "scheduled", Post.publish_at <= current)
                          .order_by(Post.publish_at, Post.id)).all()
    for post in due:
        try:
            _check_pii(post)
        except PersonalDataFound as exc:
            post.publish_at = None
            _event(session, post, "scheduler", "blocked", to="approved", reason=str(exc), at=current)
            out["blocked"].append(post.id)
            continue
        _go_live(session, post, "scheduler", current)
        out["published"].append(post.id)
    ending = session.scalars(select(Post).where(Post.status == "published", Post.unpublish_at <= current)
                             .order_by(Post.id)).all()
    for post in ending:
        archive(session, post, actor="scheduler", reason="scheduled end", now=current)
        out["archived"].append(post.id)
    session.flush()
    return out


# ---------------------------------------------------------------- from a case


def reply_post_from_case(session: Session, work_order_id: int, *, actor: User) -> Post:
    """One step: a draft public-reply post from a case's latest public reply (masked, topic and district set)."""
    wo = session.get(WorkOrder, work_order_id)
    if wo is None:
        raise NotFoundError(f"work order {work_order_id} does not exist")
    if str((wo.attributes or {}).get("public_reply", "yes")).lower() in ("no", "false", "0"):
        raise PermissionDenied(f"the requester of work order {work_order_id} did not agree to a public reply")
    reply = session.scalars(select(Reply).where(Reply.work_order_id == wo.id, Reply.public.is_(True))
                            .order_by(Reply.at.desc(), Reply.id.desc()).limit(1)).first()
    if reply is None:
        raise NotFoundError(f"work order {work_order_id} has no public reply yet")
    question = wo.public_description or mask_text(wo.description or "", "public")
    answer = reply.public_text or mask_text(reply.text, "public")
    title = mask_text((wo.title or question[:40] or f"工单 {wo.id}").strip(), "public")
    body = f"**群众来信**\n\n{question.strip()}\n\n**答复**\n\n{answer.strip()}\n"
    return create_post(session, kind="reply", title=f"关于“{title}”的答复"[:MAX_TITLE], body=body, actor=actor,
                       topics=[wo.category] if wo.category else [], districts=[wo.district] if wo.district else [],
                       work_order_id=wo.id)


# ---------------------------------------------------------------- reading


def revisions(session: Session, post_id: int) -> list[PostRevision]:
    return list(session.scalars(select(PostRevision).where(PostRevision.post_id == post_id)
                                .order_by(PostRevision.number)))


def events(session: Session, post_id: int) -> list[PostEvent]:
    return list(session.scalars(select(PostEvent).where(PostEvent.post_id == post_id).order_by(PostEvent.id)))


def diff(old: PostRevision | None, new: PostRevision) -> list[tuple[str, str]]:
    """Line diff of two revisions as (``+``/``-``/`` ``/``@``, line) pairs (title first, then body)."""
    a = [] if old is None else [f"# {old.title}", "", *old.body.splitlines()]
    b = [f"# {new.title}", "", *new.body.splitlines()]
    out: list[tuple[str, str]] = []
    for line in difflib.unified_diff(a, b, lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        out.append((line[:1] if line[:1] in "+-@" else " ", line[1:] if line[:1] in "+- " else line))
    return out


def list_posts(session: Session, *, status: str | None = None, topic: str | None = None,
               district: str | None = None, kind: str | None = None, limit: int = 200) -> list[Post]:
    """Posts newest first (published ones by publication time), optionally filtered."""
    if status is not None and status not in STATUSES:
        raise InputError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}", field="status")
    stmt = select(Post)
    if status is not None:
        stmt = stmt.where(Post.status == status)
    if kind is not None:
        stmt = stmt.where(Post.kind == kind)
    stmt = stmt.order_by(Post.published_at.desc().nulls_last(), Post.updated_at.desc(), Post.id.desc())
    rows = session.scalars(stmt).all()
    picked = [p for p in rows if (topic is None or topic in (p.topics or []))
              and (district is None or district in (p.districts or []))]
    return picked[:limit]


def published_posts(session: Session, *, topic: str | None = None, district: str | None = None,
                    limit: int = 50) -> list[Post]:
    return list_posts(session, status="published", topic=topic, district=district, limit=limit)


def public_view(post: Post) -> tuple[str, str]:
    """(title, body) as the public sees them: masked, unless a reviewer waived the findings for this text.

    One personal-data scan per text; with no findings (the normal case: publication is blocked
    otherwise) the texts are returned as they are.
    """
    check = post.pii_check or {}
    if check.get("waived") and check.get("content") == content_hash(post):
        return post.title, post.body
    return mask_text(post.title, "public"), mask_text(post.body, "public")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).astimezone(UTC).isoformat()


def post_dict(post: Post) -> dict[str, Any]:
    """The machine-readable form (CLI output, REST)."""
    return {"id": post.id, "kind": post.kind, "status": post.status, "title": post.title, "body": post.body,
            "topics": list(post.topics or []), "districts": list(post.districts or []), "author": post.author,
            "reviewer": post.reviewer, "revision": post.revision, "work_order_id": post.work_order_id,
            "corrects_id": post.corrects_id, "created_at": _iso(post.created_at),
            "updated_at": _iso(post.updated_at), "publish_at": _iso(post.publish_at),
            "unpublish_at": _iso(post.unpublish_at), "published_at": _iso(post.published_at),
            "archived_at": _iso(post.archived_at)}
