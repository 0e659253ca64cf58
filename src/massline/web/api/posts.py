"""Staff REST API for posts: list, read, write, review, publish — the same service calls as the console and CLI.

Errors as everywhere in the staff API: 404 unknown post, 403 role (or approving one's own post),
409 wrong state or personal data found (the detail says which and how to proceed), 422 bad input.
Publishing answers at once; webhooks and e-mail go out in a background task after the commit.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query

from massline.core.errors import PermissionDenied
from massline.db.models.publish import Post
from massline.db.models.users import User
from massline.publish import posts as svc
from massline.publish.schedule import announce
from massline.serve.roles import can
from massline.web.api.auth import CurrentUser
from massline.web.api.schemas.posts import (
    NoteBody,
    PiiOut,
    PostCreate,
    PostEdit,
    PostOut,
    PublishIn,
    ReasonBody,
    RevisionOut,
)
from massline.web.api.staff_errors import ERROR_RESPONSES, RowId, StaffRoute
from massline.web.deps import SessionDep, SettingsDep

TAG = "posts"
router = APIRouter(prefix="/api/posts", tags=[TAG], route_class=StaffRoute, responses=ERROR_RESPONSES)
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "Wrong state, or personal data neither masked nor waived"}}


def _reader(user: User) -> None:
    if not any(can(user, a) for a in ("post_write", "post_review", "post_publish")):
        raise PermissionDenied(f"user {user.username!r} (role {user.role}) has no access to posts")


def post_user(user: CurrentUser) -> User:
    """The caller, if their role works with posts at all: checked before anything else, so a role
    without access gets 403 whatever the body or the id."""
    _reader(user)
    return user


PostUser = Annotated[User, Depends(post_user)]


def _out(post: Post) -> PostOut:
    pii = svc.pii_status(post)
    data = svc.post_dict(post)
    return PostOut(**{**data, "created_at": post.created_at, "updated_at": post.updated_at,
                      "publish_at": post.publish_at, "unpublish_at": post.unpublish_at,
                      "published_at": post.published_at, "archived_at": post.archived_at},
                   pii=PiiOut(found=pii.found, waived=pii.waived, blocking=pii.blocking))


@router.get("", operation_id="posts-list", response_model=list[PostOut])
def list_posts(session: SessionDep, user: PostUser,
               status: Annotated[str | None, Query(description="draft, review, approved, scheduled, "
                                                               "published, archived")] = None,
               topic: str | None = None, district: str | None = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[PostOut]:
    return [_out(p) for p in svc.list_posts(session, status=status, topic=topic, district=district, limit=limit)]


@router.post("", operation_id="posts-create", response_model=PostOut, status_code=201)
def create_post(body: PostCreate, session: SessionDep, user: PostUser) -> PostOut:
    post = svc.create_post(session, kind=body.kind, title=body.title, body=body.body, actor=user, topics=body.topics,
                           districts=body.districts, corrects_id=body.corrects_id)
    return _out(post)


@router.get("/{post_id}", operation_id="posts-get", response_model=PostOut)
def get_post(post_id: RowId, session: SessionDep, user: PostUser) -> PostOut:
    return _out(svc.get_post(session, post_id))


@router.patch("/{post_id}", operation_id="posts-edit", response_model=PostOut, responses=CONFLICT)
def edit_post(post_id: RowId, body: PostEdit, session: SessionDep, user: PostUser) -> PostOut:
    post = svc.edit_post(session, svc.get_post(session, post_id), actor=user, title=body.title, body=body.body,
                         topics=body.topics, districts=body.districts, note=body.note)
    return _out(post)


@router.get("/{post_id}/revisions", operation_id="posts-revisions", response_model=list[RevisionOut])
def revisions(post_id: RowId, session: SessionDep, user: PostUser) -> list[RevisionOut]:
    svc.get_post(session, post_id)
    revs = svc.revisions(session, post_id)
    return [RevisionOut(number=r.number, title=r.title, body=r.body, topics=list(r.topics),
                        districts=list(r.districts), author=r.author, note=r.note, at=r.at,
                        diff=svc.diff(revs[i - 1] if i else None, r)) for i, r in enumerate(revs)]


@router.post("/{post_id}/submit", operation_id="posts-submit", response_model=PostOut, responses=CONFLICT)
def submit(post_id: RowId, session: SessionDep, user: PostUser) -> PostOut:
    return _out(svc.submit(session, svc.get_post(session, post_id), actor=user))


@router.post("/{post_id}/approve", operation_id="posts-approve", response_model=PostOut, responses=CONFLICT)
def approve(post_id: RowId, session: SessionDep, user: PostUser, body: NoteBody | None = None) -> PostOut:
    return _out(svc.approve(session, svc.get_post(session, post_id), actor=user, note=body.note if body else None))


@router.post("/{post_id}/reject", operation_id="posts-reject", response_model=PostOut, responses=CONFLICT)
def reject(post_id: RowId, body: ReasonBody, session: SessionDep, user: PostUser) -> PostOut:
    return _out(svc.reject(session, svc.get_post(session, post_id), actor=user, reason=body.reason))


@router.post("/{post_id}/publish", operation_id="posts-publish", response_model=PostOut, responses=CONFLICT)
def publish(post_id: RowId, session: SessionDep, settings: SettingsDep, user: PostUser, tasks: BackgroundTasks,
            body: PublishIn | None = None) -> PostOut:
    post = svc.publish(session, svc.get_post(session, post_id), actor=user, at=body.at if body else None,
                       until=body.until if body else None)
    out = _out(post)
    session.commit()
    tasks.add_task(announce, settings, [post_id])
    return out


@router.post("/{post_id}/archive", operation_id="posts-archive", response_model=PostOut, responses=CONFLICT)
def archive(post_id: RowId, session: SessionDep, user: PostUser, body: NoteBody | None = None) -> PostOut:
    return _out(svc.archive(session, svc.get_post(session, post_id), actor=user, reason=body.note if body else None))


@router.post("/{post_id}/mask", operation_id="posts-mask-pii", response_model=PostOut, responses=CONFLICT)
def mask(post_id: RowId, session: SessionDep, user: PostUser) -> PostOut:
    return _out(svc.mask_pii(session, svc.get_post(session, post_id), actor=user))


@router.post("/{post_id}/waive", operation_id="posts-waive-pii", response_model=PostOut, responses=CONFLICT)
def waive(post_id: RowId, body: ReasonBody, session: SessionDep, user: PostUser) -> PostOut:
    return _out(svc.waive_pii(session, svc.get_post(session, post_id), actor=user, reason=body.reason))


@router.post("/from-case/{work_order_id}", operation_id="posts-from-case", response_model=PostOut, status_code=201)
def from_case(work_order_id: RowId, session: SessionDep, user: PostUser) -> PostOut:
    return _out(svc.reply_post_from_case(session, work_order_id, actor=user))
