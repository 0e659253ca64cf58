"""Public publicize pages: posts (all, by topic, by district, one post), feeds, subscriptions, charts.

Everything shown is the public view of a post (masked unless a reviewer waived the findings) in
sanitised HTML. Readers' writes (reactions, comments, questions) are rate-limited per client
address in this process. ``setup(app)`` also starts the embedded scheduler (scheduled posts,
webhook retries) with the app and stops it on shutdown.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from massline.core.errors import ConfigError, InputError, NotFoundError
from massline.db.models.publish import Post, PostAttachment
from massline.publish import feeds, reactions, recommend, subscriptions
from massline.publish.charts import public_chart_data
from massline.publish.posts import KIND_NAMES, published_posts
from massline.publish.schedule import start_scheduler
from massline.security.counters import counters_for
from massline.security.throttle import RateLimit
from massline.web.deps import SessionDep, SettingsDep, accept_requests
from massline.web.pages.rendering import render
from massline.web.pages.security import check_csrf
from massline.web.throttling import client_address

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


def setup(app: FastAPI) -> None:
    settings = app.state.settings

    def _start() -> None:
        # one scheduler per app, even when a test harness runs the lifespan more than once
        if getattr(app.state, "publish_scheduler", None) is None:
            app.state.publish_scheduler = start_scheduler(settings)

    def _stop() -> None:
        scheduler = getattr(app.state, "publish_scheduler", None)
        app.state.publish_scheduler = None
        if scheduler is not None:
            scheduler.stop()

    app.router.on_startup.append(_start)
    app.router.on_shutdown.append(_stop)


#: Reader actions per client address in ten minutes (comments, questions, subscriptions / reactions).
READER_WINDOW = 600.0
REACTIONS_PER_WINDOW = 60


def _limited(request: Request, name: str) -> bool:
    """True when this client is over its limit (the hit is counted otherwise), in the installation's shared
    counters (database or Redis), so the limit holds across worker processes."""
    settings = request.app.state.settings
    limit = settings.comment_rate_limit if name == "reader_limit" else REACTIONS_PER_WINDOW
    counter = RateLimit(counters_for(settings), name, limit, window=READER_WINDOW)
    return counter.hit(client_address(request)) is not None


def _list_context(session: Any, topic: str | None, district: str | None) -> dict[str, Any]:
    posts = published_posts(session, topic=topic, district=district, limit=200)
    entries = [feeds.entry_of(p) for p in posts[:PAGE_SIZE]]
    everything = published_posts(session, limit=500)
    topics = sorted({t for p in everything for t in (p.topics or [])})
    districts = sorted({d for p in everything for d in (p.districts or [])})
    return {"entries": entries, "topic": topic, "district": district, "topics": topics, "districts": districts,
            "kind_names": KIND_NAMES, "feed_query": feeds.FeedScope(topic, district).query()}


@router.get("/posts")
def posts_page(request: Request, session: SessionDep, topic: str = "", district: str = "") -> Response:
    return render(request, "posts/list.html", _list_context(session, topic.strip() or None, district.strip() or None))


@router.get("/posts/topic/{topic}")
def posts_by_topic(request: Request, session: SessionDep, topic: str) -> Response:
    return render(request, "posts/list.html", _list_context(session, topic, None))


@router.get("/posts/district/{district}")
def posts_by_district(request: Request, session: SessionDep, district: str) -> Response:
    return render(request, "posts/list.html", _list_context(session, None, district))


def _published_or_404(session: Any, post_id: int) -> Post | None:
    post = session.get(Post, post_id) if 0 < post_id < 2**31 else None
    return post if post is not None and post.status == "published" else None


def _post_context(session: Any, post: Post, **extra: Any) -> dict[str, Any]:
    from sqlalchemy import select

    attachments = list(session.scalars(select(PostAttachment).where(PostAttachment.post_id == post.id)))
    return {"e": feeds.entry_of(post), "post": post, "counts": reactions.reaction_counts(session, post.id),
            "comments": reactions.approved_comments(session, post.id), "attachments": attachments,
            "kind_names": KIND_NAMES, "reaction_names": reactions.REACTION_NAMES, **extra}


def _not_found(request: Request) -> Response:
    return render(request, "error.html", {"status": 404, "message_id": "not_found"}, status_code=404)


@router.get("/posts/{post_id}")
def post_page(request: Request, session: SessionDep, post_id: int) -> Response:
    post = _published_or_404(session, post_id)
    if post is None:
        return _not_found(request)
    return render(request, "posts/post.html", _post_context(session, post))


@router.get("/posts/{post_id}/attachments/{attachment_id}")
def attachment(request: Request, session: SessionDep, post_id: int, attachment_id: int) -> Response:
    post = _published_or_404(session, post_id)
    row = session.get(PostAttachment, attachment_id) if post is not None and 0 < attachment_id < 2**31 else None
    if row is None or row.post_id != post_id:
        return _not_found(request)
    disposition = "inline" if row.content_type.startswith("image/") else "attachment"
    return Response(row.data, media_type=row.content_type, headers={
        "Content-Disposition": f"{disposition}; filename=\"attachment-{row.id}\"",
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'"})


@router.post("/posts/{post_id}/react", dependencies=[Depends(check_csrf)])
async def react(request: Request, session: SessionDep, settings: SettingsDep, post_id: int) -> Response:
    post = _published_or_404(session, post_id)
    if post is None:
        return _not_found(request)
    value = str((await request.form()).get("value") or "")
    message: str | None = None
    if _limited(request, "reaction_limit"):
        message = "操作太频繁，请稍后再试"
    else:
        try:
            reactions.react(session, post_id, value, client=client_address(request),
                            secret=settings.resolved_secret_key())
            session.commit()
            message = "感谢您的反馈"
        except InputError:
            message = "请选择有帮助或没帮助"
    ctx = _post_context(session, post, reaction_message=message)
    if request.headers.get("hx-request"):
        return render(request, "posts/_reactions.html", ctx)
    return render(request, "posts/post.html", ctx)


@router.post("/posts/{post_id}/comment", dependencies=[Depends(check_csrf)])
async def comment(request: Request, session: SessionDep, post_id: int) -> Response:
    post = _published_or_404(session, post_id)
    if post is None:
        return _not_found(request)
    body = str((await request.form()).get("body") or "")
    if _limited(request, "reader_limit"):
        return render(request, "posts/post.html", _post_context(session, post, comment_error="操作太频繁，请稍后再试",
                                                                 comment_body=body), status_code=429)
    try:
        reactions.add_comment(session, post_id, body)
    except InputError as exc:
        text = "请填写评论内容" if "empty" in exc.reason else "评论太长（最多 1000 字）"
        return render(request, "posts/post.html", _post_context(session, post, comment_error=text,
                                                                 comment_body=body), status_code=422)
    session.commit()
    return render(request, "posts/post.html", _post_context(session, post, comment_sent=True))


@router.post("/posts/{post_id}/ask", dependencies=[Depends(check_csrf)])
async def ask(request: Request, session: SessionDep, settings: SettingsDep, post_id: int) -> Response:
    post = _published_or_404(session, post_id)
    if post is None:
        return _not_found(request)
    form = await request.form()
    question = str(form.get("question") or "")
    if _limited(request, "reader_limit"):
        return render(request, "posts/post.html", _post_context(session, post, ask_error="操作太频繁，请稍后再试",
                                                                 question=question), status_code=429)
    contact = {"email": str(form.get("email") or "").strip() or None}
    try:
        wo = reactions.ask_about(session, settings, post_id, question, contact=contact)
    except InputError:
        ctx = _post_context(session, post, ask_error="请填写您的问题（最多 2000 字）", question=question)
        return render(request, "posts/post.html", ctx, status_code=422)
    token = wo.token
    accept_requests(request, session, settings, [wo.id])
    return RedirectResponse(f"/track/{token}?new=1", status_code=303)


@router.get("/feeds/posts.{fmt}", name="feed")
def feed(request: Request, session: SessionDep, settings: SettingsDep, fmt: str, topic: str = "",
         district: str = "") -> Response:
    if fmt not in feeds.FORMATS:
        return Response("unknown feed format; use .rss, .atom or .json", status_code=404, media_type="text/plain")
    scope = feeds.FeedScope(topic.strip() or None, district.strip() or None)
    posts = published_posts(session, topic=scope.topic, district=scope.district, limit=50)
    body = feeds.BUILDERS[fmt](posts, settings.public_base_url, scope, datetime.now(UTC))
    return Response(body, media_type=feeds.FORMATS[fmt])


# ---------------------------------------------------------------- subscriptions


@router.get("/subscriptions")
def subscribe_page(request: Request, session: SessionDep, topic: str = "", district: str = "") -> Response:
    ctx = _list_context(session, None, None)
    return render(request, "posts/subscribe.html", {**ctx, "topic": topic, "district": district})


@router.post("/subscriptions", dependencies=[Depends(check_csrf)])
async def subscribe(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    form = await request.form()
    email, topic, district = (str(form.get(k) or "") for k in ("email", "topic", "district"))
    ctx = {**_list_context(session, None, None), "topic": topic, "district": district, "email": email}
    if _limited(request, "reader_limit"):
        return render(request, "posts/subscribe.html", {**ctx, "error": "操作太频繁，请稍后再试"}, status_code=429)
    try:
        sub = subscriptions.subscribe(session, email=email, topic=topic, district=district)
        if sub.status == "pending":
            subscriptions.send_mails(settings, [subscriptions.confirmation_mail(settings, sub)])
    except InputError:
        return render(request, "posts/subscribe.html", {**ctx, "error": "请填写有效的电子邮箱"}, status_code=422)
    except (ConfigError, OSError):
        session.rollback()
        return render(request, "posts/subscribe.html", {**ctx, "error": "邮件服务暂不可用，请使用 RSS 订阅"},
                      status_code=503)
    session.commit()
    return render(request, "posts/subscription_done.html", {"state": "sent"})


@router.get("/subscriptions/confirm/{token}")
def confirm(request: Request, session: SessionDep, token: str) -> Response:
    try:
        sub = subscriptions.confirm(session, token)
    except NotFoundError:
        return render(request, "posts/subscription_done.html", {"state": "unknown"}, status_code=404)
    session.commit()
    picks = recommend.for_subscription(session, topic=sub.topic, district=sub.district, now=datetime.now(UTC))
    titles = {p.id: p.title for p in published_posts(session, limit=500)}
    ctx = {"state": "confirmed", "scope": subscriptions.scope_name(sub),
           "picks": [(i, titles[i]) for i in picks if i in titles]}
    return render(request, "posts/subscription_done.html", ctx)


@router.get("/subscriptions/unsubscribe/{token}")
def unsubscribe_page(request: Request, token: str) -> Response:
    return render(request, "posts/subscription_done.html", {"state": "ask_unsubscribe", "token": token})


@router.post("/subscriptions/unsubscribe/{token}")
def unsubscribe(request: Request, session: SessionDep, token: str) -> Response:
    """RFC 8058 one-click: the mail client POSTs without our cookie, so the token alone authorises it."""
    try:
        subscriptions.unsubscribe(session, token)
    except NotFoundError:
        return render(request, "posts/subscription_done.html", {"state": "unknown"}, status_code=404)
    session.commit()
    return render(request, "posts/subscription_done.html", {"state": "unsubscribed"})


# ---------------------------------------------------------------- charts


@router.get("/stats")
def stats_page(request: Request, session: SessionDep) -> Response:
    return render(request, "posts/stats.html", {"data": public_chart_data(session)})
