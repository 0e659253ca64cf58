"""The media centre's console under ``/staff/posts``: write, review, check, publish, moderate, webhooks, segments.

Every button is one call into :mod:`massline.publish`; a refusal (self-approval, personal data,
wrong state, missing reason) re-renders the post with the reason and a 4xx status. What goes
out after a publication (webhooks, e-mail) runs as a background task after the response.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.responses import Response

from massline.core.errors import InputError, MasslineError, NotFoundError, PermissionDenied
from massline.db.models.publish import PostAttachment
from massline.db.models.users import User
from massline.publish import posts as svc
from massline.publish import reactions, recommend, segments, webhooks
from massline.publish.attachments import add_attachment
from massline.publish.schedule import announce
from massline.serve.metrics import LOCAL_TZ
from massline.serve.roles import can
from massline.web.deps import SessionDep, SettingsDep
from massline.web.pages.rendering import render
from massline.web.pages.security import PageUser, check_csrf, require_role

POST_ROLES = ("administrator", "editor", "reviewer")
router = APIRouter(prefix="/staff/posts", include_in_schema=False)
StaffUser = Annotated[PageUser, Depends(require_role(*POST_ROLES))]
STATUS_CODES = ((NotFoundError, 404), (PermissionDenied, 403), (InputError, 422))


def _user(session: Any, page_user: PageUser) -> User:
    user: User | None = session.get(User, page_user.id)
    if user is None or not user.active:
        raise PermissionDenied("this account is no longer active")
    return user


def _status(exc: Exception) -> int:
    return next((code for kind, code in STATUS_CODES if isinstance(exc, kind)), 409)


@router.get("")
def post_list(request: Request, session: SessionDep, user: StaffUser, status: str = "") -> Response:
    rows = svc.list_posts(session, status=status if status in svc.STATUSES else None, limit=500)
    return render(request, "posts/staff_list.html", {
        "posts": rows, "status": status, "statuses": svc.STATUSES, "status_names": svc.STATUS_NAMES,
        "kind_names": svc.KIND_NAMES, "pending_comments": len(reactions.comments_for_moderation(session))})


@router.get("/new")
def new_form(request: Request, user: StaffUser) -> Response:
    return render(request, "posts/staff_edit.html", {"form": {"kind": "notice"}, "kinds": svc.KIND_NAMES})


def _tags(value: str) -> list[str]:
    return [v.strip() for v in value.replace("，", ",").split(",") if v.strip()]


@router.post("/new", dependencies=[Depends(check_csrf)])
async def create(request: Request, session: SessionDep, user: StaffUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        post = svc.create_post(session, kind=form.get("kind", ""), title=form.get("title", ""),
                               body=form.get("body", ""), actor=_user(session, user),
                               topics=_tags(form.get("topics", "")), districts=_tags(form.get("districts", "")))
    except MasslineError as exc:
        session.rollback()
        return render(request, "posts/staff_edit.html", {"form": form, "kinds": svc.KIND_NAMES, "error": str(exc)},
                      status_code=_status(exc))
    session.commit()
    return RedirectResponse(f"/staff/posts/{post.id}", status_code=303)


@router.post("/from-case", dependencies=[Depends(check_csrf)])
async def from_case(request: Request, session: SessionDep, user: StaffUser) -> Response:
    value = str((await request.form()).get("work_order_id") or "").strip()
    try:
        if not value.isdigit():
            raise InputError("a work order number is required", field="work_order_id")
        post = svc.reply_post_from_case(session, int(value), actor=_user(session, user))
    except MasslineError as exc:
        session.rollback()
        rows = svc.list_posts(session, limit=500)
        return render(request, "posts/staff_list.html", {
            "posts": rows, "status": "", "statuses": svc.STATUSES, "status_names": svc.STATUS_NAMES,
            "kind_names": svc.KIND_NAMES, "error": str(exc), "pending_comments": 0}, status_code=_status(exc))
    session.commit()
    return RedirectResponse(f"/staff/posts/{post.id}", status_code=303)


def _detail_context(session: Any, post_id: int, user: User, **extra: Any) -> dict[str, Any]:
    post = svc.get_post(session, post_id)
    revs = svc.revisions(session, post_id)
    diffs = [(rev, svc.diff(revs[i - 1] if i else None, rev)) for i, rev in enumerate(revs)]
    writers = {r.author for r in revs} | {post.author}
    attachments = list(session.scalars(select(PostAttachment).where(PostAttachment.post_id == post_id)))
    return {"post": post, "pii": svc.pii_status(post), "diffs": list(reversed(diffs)),
            "events": svc.events(session, post_id), "status_names": svc.STATUS_NAMES, "kind_names": svc.KIND_NAMES,
            "attachments": attachments,
            "may": {"write": can(user, "post_write"), "review": can(user, "post_review"),
                    "publish": can(user, "post_publish"), "own": user.username in writers},
            **extra}


@router.get("/{post_id}")
def detail(request: Request, session: SessionDep, user: StaffUser, post_id: int) -> Response:
    try:
        ctx = _detail_context(session, post_id, _user(session, user))
    except NotFoundError:
        return render(request, "error.html", {"status": 404, "message_id": "not_found"}, status_code=404)
    return render(request, "posts/staff_post.html", ctx)


def _local_time(value: str, field: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"{value!r} is not a date and time", field=field) from exc
    return when if when.tzinfo else when.replace(tzinfo=LOCAL_TZ)


@router.post("/{post_id}/edit", dependencies=[Depends(check_csrf)])
async def edit(request: Request, session: SessionDep, user: StaffUser, post_id: int) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    actor = _user(session, user)
    try:
        svc.edit_post(session, svc.get_post(session, post_id), actor=actor, title=form.get("title", ""),
                      body=form.get("body", ""), topics=_tags(form.get("topics", "")),
                      districts=_tags(form.get("districts", "")), note=form.get("note") or None)
    except MasslineError as exc:
        session.rollback()
        return _refused(request, session, post_id, actor, exc)
    session.commit()
    return RedirectResponse(f"/staff/posts/{post_id}", status_code=303)


def _refused(request: Request, session: Any, post_id: int, actor: User, exc: Exception) -> Response:
    try:
        ctx = _detail_context(session, post_id, actor, error=str(exc))
    except NotFoundError:
        return render(request, "error.html", {"status": 404, "message_id": "not_found"}, status_code=404)
    return render(request, "posts/staff_post.html", ctx, status_code=_status(exc))


@router.post("/{post_id}/action/{action}", dependencies=[Depends(check_csrf)])
async def act(request: Request, session: SessionDep, settings: SettingsDep, user: StaffUser, post_id: int,
              action: str, tasks: BackgroundTasks) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    actor = _user(session, user)
    reason = form.get("reason", "").strip()
    try:
        post = svc.get_post(session, post_id)
        if action == "submit":
            svc.submit(session, post, actor=actor)
        elif action == "approve":
            svc.approve(session, post, actor=actor, note=reason or None)
        elif action == "reject":
            svc.reject(session, post, actor=actor, reason=reason)
        elif action == "publish":
            svc.publish(session, post, actor=actor, at=_local_time(form.get("at", ""), "at"),
                        until=_local_time(form.get("until", ""), "until"))
        elif action == "archive":
            svc.archive(session, post, actor=actor, reason=reason or None)
        elif action == "mask":
            svc.mask_pii(session, post, actor=actor)
        elif action == "waive":
            svc.waive_pii(session, post, actor=actor, reason=reason)
        else:
            raise NotFoundError(f"unknown action {action!r}")
    except MasslineError as exc:
        session.rollback()
        return _refused(request, session, post_id, actor, exc)
    session.commit()
    if action == "publish":
        tasks.add_task(announce, settings, [post_id])
    return RedirectResponse(f"/staff/posts/{post_id}", status_code=303)


@router.post("/{post_id}/attachments", dependencies=[Depends(check_csrf)])
async def upload(request: Request, session: SessionDep, user: StaffUser, post_id: int) -> Response:
    actor = _user(session, user)
    form = await request.form()
    file = form.get("file")
    try:
        post = svc.get_post(session, post_id)
        if not can(actor, "post_write"):
            raise PermissionDenied(f"user {actor.username!r} may not add attachments")
        if not isinstance(file, UploadFile) and not hasattr(file, "read"):
            raise InputError("choose a file", field="file")
        data = await file.read(5_000_001)  # type: ignore[union-attr]
        add_attachment(session, post, filename=str(getattr(file, "filename", "") or "file"), data=data,
                       actor=actor.username)
    except MasslineError as exc:
        session.rollback()
        return _refused(request, session, post_id, actor, exc)
    session.commit()
    return RedirectResponse(f"/staff/posts/{post_id}", status_code=303)


# ---------------------------------------------------------------- comments, webhooks, segments


@router.get("/moderation/comments")
def comments_page(request: Request, session: SessionDep, user: StaffUser, status: str = "pending") -> Response:
    status = status if status in ("pending", "approved", "rejected") else "pending"
    return render(request, "posts/staff_comments.html",
                  {"comments": reactions.comments_for_moderation(session, status), "status": status})


@router.post("/moderation/comments/{comment_id}", dependencies=[Depends(check_csrf)])
async def moderate(request: Request, session: SessionDep, user: StaffUser, comment_id: int) -> Response:
    form = await request.form()
    actor = _user(session, user)
    try:
        if not can(actor, "post_moderate"):
            raise PermissionDenied(f"user {actor.username!r} may not moderate comments")
        reactions.moderate(session, comment_id, decision=str(form.get("decision") or ""), actor=actor.username,
                           reason=str(form.get("reason") or ""))
    except MasslineError as exc:
        session.rollback()
        return render(request, "posts/staff_comments.html", {
            "comments": reactions.comments_for_moderation(session), "status": "pending", "error": str(exc)},
            status_code=_status(exc))
    session.commit()
    return RedirectResponse("/staff/posts/moderation/comments", status_code=303)


@router.get("/channels/webhooks")
def webhooks_page(request: Request, session: SessionDep, user: StaffUser) -> Response:
    return render(request, "posts/staff_webhooks.html",
                  {"endpoints": webhooks.endpoints(session), "deliveries": webhooks.deliveries(session)})


@router.post("/channels/webhooks", dependencies=[Depends(check_csrf)])
async def webhook_create(request: Request, session: SessionDep, user: StaffUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    actor = _user(session, user)
    try:
        if not can(actor, "post_publish"):
            raise PermissionDenied(f"user {actor.username!r} may not register webhooks")
        ep = webhooks.create_endpoint(session, name=form.get("name", ""), url=form.get("url", "").strip(),
                                      actor=actor.username, topics=_tags(form.get("topics", "")),
                                      districts=_tags(form.get("districts", "")))
    except MasslineError as exc:
        session.rollback()
        return render(request, "posts/staff_webhooks.html", {
            "endpoints": webhooks.endpoints(session), "deliveries": webhooks.deliveries(session),
            "error": str(exc)}, status_code=_status(exc))
    session.commit()
    return render(request, "posts/staff_webhooks.html", {
        "endpoints": webhooks.endpoints(session), "deliveries": webhooks.deliveries(session), "new_secret": ep.secret,
        "new_id": ep.id})


@router.post("/channels/webhooks/deliveries/{delivery_id}/resend", dependencies=[Depends(check_csrf)])
def webhook_resend(request: Request, session: SessionDep, settings: SettingsDep, user: StaffUser, delivery_id: int,
                   tasks: BackgroundTasks) -> Response:
    try:
        webhooks.resend(session, delivery_id, actor=user.username)
    except NotFoundError:
        return render(request, "error.html", {"status": 404, "message_id": "not_found"}, status_code=404)
    session.commit()
    tasks.add_task(announce, settings, [])
    return RedirectResponse("/staff/posts/channels/webhooks", status_code=303)


@router.get("/audience/segments")
def segments_page(request: Request, session: SessionDep, settings: SettingsDep, user: StaffUser) -> Response:
    table = segments.audience_segments(session, k=settings.segment_k)
    picks = recommend.for_segments(session, table, now=datetime.now(UTC))
    titles = {p.id: p.title for p in svc.published_posts(session, limit=500)}
    return render(request, "posts/staff_segments.html", {"table": table, "picks": picks, "titles": titles})


@router.get("/audience/segments.csv")
def segments_csv(session: SessionDep, settings: SettingsDep, user: StaffUser) -> Response:
    table = segments.audience_segments(session, k=settings.segment_k)
    return Response(segments.to_csv(table), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="segments.csv"'})
