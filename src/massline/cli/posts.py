"""``massline posts …``, ``massline feeds check``, ``massline webhooks …``: the media centre from the shell.

Contract other tools rely on: every posts command prints the post (or list) as ONE JSON object on
its last stdout line; a refusal (self-approval, personal data found, wrong state, unknown user)
exits with status 1, the reason on stderr and ``{"error": reason}`` as the last stdout line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from massline.cli._apps import app, console, database_url, err_console, eval_app, settings
from massline.core.errors import MasslineError

posts_app = typer.Typer(help="Posts of the media centre: write, review, publish, schedule.", no_args_is_help=True)
feeds_app = typer.Typer(help="Feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1).", no_args_is_help=True)
hooks_app = typer.Typer(help="Webhooks to partner systems (signed, retried, logged).", no_args_is_help=True)
app.add_typer(posts_app, name="posts")
app.add_typer(feeds_app, name="feeds")
app.add_typer(hooks_app, name="webhooks")

ActorOpt = Annotated[str, typer.Option("--actor", help="Username doing this (checked against its role, audited).")]


def _out(obj: dict[str, Any]) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, default=str))


def _refuse(reason: str) -> None:
    err_console.print(f"[red]refused:[/] {reason}")
    typer.echo(json.dumps({"error": reason}, ensure_ascii=False))
    raise typer.Exit(1)


@contextmanager
def _session() -> Iterator[Session]:
    from massline.db.session import session_scope

    try:
        with session_scope(database_url()) as session:
            yield session
    except MasslineError as exc:
        _refuse(str(exc))


def _parse_time(value: str | None, name: str) -> datetime | None:
    from massline.serve.metrics import LOCAL_TZ

    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        _refuse(f"{name}: {value!r} is not an ISO 8601 date-time (e.g. 2026-12-03T09:00+08:00)")
        raise  # unreachable: _refuse exits
    return when if when.tzinfo else when.replace(tzinfo=LOCAL_TZ)


def _act(post_id: int, actor: str, action: Callable[[Session, Any, Any], Any]) -> None:
    """Load post and user, run ``action(session, post, user)``, print the post."""
    from massline.publish.posts import get_post, post_dict
    from massline.serve.accounts import get_user

    with _session() as session:
        user = get_user(session, actor)
        post = get_post(session, post_id)
        action(session, post, user)
        out = post_dict(post)
    _out(out)


@posts_app.command("create")
def create_cmd(
    kind: Annotated[str, typer.Option("--kind", help="notice | explainer | reply | correction")],
    title: Annotated[str, typer.Option("--title")],
    actor: ActorOpt,
    body: Annotated[str | None, typer.Option("--body", help="Markdown text.")] = None,
    body_file: Annotated[Path | None, typer.Option("--body-file", help="File with the Markdown text.")] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", help="Topic (repeatable).")] = None,
    district: Annotated[list[str] | None, typer.Option("--district", help="District (repeatable).")] = None,
    corrects: Annotated[int | None, typer.Option("--corrects", help="Id of the post a correction corrects.")] = None,
) -> None:
    """Write a new draft; prints it as JSON."""
    from massline.publish.posts import create_post, post_dict
    from massline.serve.accounts import get_user

    if (body is None) == (body_file is None):
        _refuse("give exactly one of --body or --body-file")
    text = body if body is not None else _read(body_file)
    with _session() as session:
        post = create_post(session, kind=kind, title=title, body=text, actor=get_user(session, actor),
                           topics=topic, districts=district, corrects_id=corrects)
        out = post_dict(post)
    _out(out)


def _read(path: Path | None) -> str:
    assert path is not None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _refuse(f"--body-file {path}: {exc}")
        raise


@posts_app.command("edit")
def edit_cmd(
    post_id: Annotated[int, typer.Argument()], actor: ActorOpt,
    title: Annotated[str | None, typer.Option("--title")] = None,
    body: Annotated[str | None, typer.Option("--body")] = None,
    body_file: Annotated[Path | None, typer.Option("--body-file")] = None,
    note: Annotated[str | None, typer.Option("--note", help="What changed (kept with the revision).")] = None,
) -> None:
    """Save a new revision (back to draft if it was under review)."""
    from massline.publish.posts import edit_post

    text = _read(body_file) if body_file is not None else body
    _act(post_id, actor, lambda s, p, u: edit_post(s, p, actor=u, title=title, body=text, note=note))


@posts_app.command("submit")
def submit_cmd(post_id: Annotated[int, typer.Argument()], actor: ActorOpt) -> None:
    """Send a draft for review."""
    from massline.publish.posts import submit

    _act(post_id, actor, lambda s, p, u: submit(s, p, actor=u))


@posts_app.command("approve")
def approve_cmd(post_id: Annotated[int, typer.Argument()], actor: ActorOpt,
                note: Annotated[str | None, typer.Option("--note")] = None) -> None:
    """Approve a post under review (a reviewer or editor other than its writers)."""
    from massline.publish.posts import approve

    _act(post_id, actor, lambda s, p, u: approve(s, p, actor=u, note=note))


@posts_app.command("reject")
def reject_cmd(post_id: Annotated[int, typer.Argument()], actor: ActorOpt,
               reason: Annotated[str, typer.Option("--reason")]) -> None:
    """Send a post back to its writer with a reason."""
    from massline.publish.posts import reject

    _act(post_id, actor, lambda s, p, u: reject(s, p, actor=u, reason=reason))


@posts_app.command("publish")
def publish_cmd(
    post_id: Annotated[int, typer.Argument()], actor: ActorOpt,
    at: Annotated[str | None, typer.Option("--at", help="ISO 8601 time to publish (default: now).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="ISO 8601 time to take it down again.")] = None,
) -> None:
    """Publish an approved post now or at ``--at`` (refused while personal data is unmasked)."""
    from massline.publish.posts import publish
    from massline.publish.schedule import announce

    when, end = _parse_time(at, "--at"), _parse_time(until, "--until")
    _act(post_id, actor, lambda s, p, u: publish(s, p, actor=u, at=when, until=end))
    announce(settings(), [post_id])


@posts_app.command("archive")
def archive_cmd(post_id: Annotated[int, typer.Argument()], actor: ActorOpt,
                reason: Annotated[str | None, typer.Option("--reason")] = None) -> None:
    """Take a post off the public pages and feeds."""
    from massline.publish.posts import archive

    _act(post_id, actor, lambda s, p, u: archive(s, p, actor=u, reason=reason))


@posts_app.command("mask")
def mask_cmd(post_id: Annotated[int, typer.Argument()], actor: ActorOpt) -> None:
    """Mask the personal data found in title and body (a new revision)."""
    from massline.publish.posts import mask_pii

    _act(post_id, actor, lambda s, p, u: mask_pii(s, p, actor=u))


@posts_app.command("waive")
def waive_cmd(post_id: Annotated[int, typer.Argument()], actor: ActorOpt,
              reason: Annotated[str, typer.Option("--reason", help="Why it may be published.")]) -> None:
    """Accept the personal-data findings of this exact text (reviewer; audited)."""
    from massline.publish.posts import waive_pii

    _act(post_id, actor, lambda s, p, u: waive_pii(s, p, actor=u, reason=reason))


@posts_app.command("from-case")
def from_case_cmd(work_order: Annotated[int, typer.Argument(help="Work order id.")], actor: ActorOpt) -> None:
    """Make a draft public-reply post from a case's latest public reply (masked)."""
    from massline.publish.posts import post_dict, reply_post_from_case
    from massline.serve.accounts import get_user

    with _session() as session:
        post = reply_post_from_case(session, work_order, actor=get_user(session, actor))
        out = post_dict(post)
    _out(out)


@posts_app.command("show")
def show_cmd(post_id: Annotated[int, typer.Argument()]) -> None:
    """One post with its personal-data status and revision count."""
    from massline.publish.posts import get_post, pii_status, post_dict, revisions

    with _session() as session:
        post = get_post(session, post_id)
        status = pii_status(post)
        out = {**post_dict(post), "pii": {"found": status.found, "waived": status.waived,
                                          "blocking": status.blocking},
               "revisions": len(revisions(session, post_id))}
    _out(out)


@posts_app.command("list")
def list_cmd(
    status: Annotated[str | None, typer.Option("--status")] = None,
    topic: Annotated[str | None, typer.Option("--topic")] = None,
    district: Annotated[str | None, typer.Option("--district")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json | table")] = "table",
) -> None:
    """Posts newest first."""
    from massline.cli._apps import print_table
    from massline.publish.posts import STATUS_NAMES, list_posts, post_dict

    with _session() as session:
        rows = [post_dict(p) for p in list_posts(session, status=status, topic=topic, district=district)]
    if fmt == "json":
        _out({"posts": rows, "count": len(rows)})
        return
    print_table(f"{len(rows)} posts", ("id", "kind", "status", "title", "topics", "districts", "published"),
                ((str(r["id"]), r["kind"], STATUS_NAMES.get(r["status"], r["status"]), r["title"][:40],
                  ",".join(r["topics"]), ",".join(r["districts"]), r["published_at"] or "") for r in rows))


@posts_app.command("run-scheduled")
def run_scheduled_cmd(
    now: Annotated[str | None, typer.Option("--now", help="Pretend it is this ISO 8601 time.")] = None,
) -> None:
    """Publish/archive what is due and retry due webhooks, once (what the server's scheduler does)."""
    from massline.publish.schedule import run_scheduled_jobs

    try:
        result = run_scheduled_jobs(settings(), _parse_time(now, "--now"))
    except MasslineError as exc:
        _refuse(str(exc))
    _out(result)


@feeds_app.command("check")
def feeds_check_cmd(urls: Annotated[list[str], typer.Argument(help="Feed URLs or files.")]) -> None:
    """Fetch each feed and validate it (parsed back with feedparser / JSON Feed rules); last line JSON."""
    import httpx

    from massline.publish.feeds import check_feed

    results = []
    for url in urls:
        try:
            if url.startswith(("http://", "https://")):
                response = httpx.get(url, timeout=15, follow_redirects=True)
                response.raise_for_status()
                data, ctype = response.content, response.headers.get("content-type", "")
            else:
                data, ctype = Path(url).read_bytes(), ""
        except (httpx.HTTPError, OSError) as exc:
            results.append({"url": url, "ok": False, "format": None, "entries": 0, "problems": [str(exc)]})
            continue
        check = check_feed(data, ctype)
        results.append({"url": url, "ok": check.ok, "format": check.format, "entries": check.entries,
                        "problems": check.problems})
        mark = "[green]ok[/]" if check.ok else "[red]invalid[/]"
        err_console.print(f"{mark} {url}: {check.format}, {check.entries} entries"
                          + "".join(f"\n  - {p}" for p in check.problems))
    ok = all(r["ok"] for r in results)
    typer.echo(json.dumps({"ok": ok, "feeds": results}, ensure_ascii=False))
    if not ok:
        raise typer.Exit(1)


@hooks_app.command("add")
def hooks_add_cmd(
    url: Annotated[str, typer.Argument()], actor: ActorOpt,
    name: Annotated[str, typer.Option("--name")] = "",
    secret: Annotated[str | None, typer.Option("--secret", help="Shared HMAC secret (default: generated).")] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic")] = None,
    district: Annotated[list[str] | None, typer.Option("--district")] = None,
) -> None:
    """Register an endpoint; prints it with its secret (shown once here)."""
    from massline.publish.webhooks import create_endpoint

    with _session() as session:
        ep = create_endpoint(session, name=name, url=url, actor=actor, secret=secret, topics=topic,
                             districts=district)
        out = {"id": ep.id, "url": ep.url, "secret": ep.secret, "topics": ep.topics, "districts": ep.districts}
    _out(out)


@hooks_app.command("log")
def hooks_log_cmd(limit: Annotated[int, typer.Option("--limit")] = 50) -> None:
    """The delivery log, newest first (last line JSON)."""
    from massline.publish.webhooks import deliveries

    with _session() as session:
        rows = [{"id": d.id, "endpoint": d.endpoint_id, "post": d.post_id, "event": d.event, "status": d.status,
                 "attempts": d.attempts, "last_status_code": d.last_status_code, "last_error": d.last_error}
                for d in deliveries(session, limit=limit)]
    _out({"deliveries": rows})


@hooks_app.command("resend")
def hooks_resend_cmd(delivery_id: Annotated[int, typer.Argument()], actor: ActorOpt) -> None:
    """Send a logged delivery again (a new log row) and try it now."""
    from massline.publish.schedule import announce
    from massline.publish.webhooks import resend

    with _session() as session:
        row = resend(session, delivery_id, actor=actor)
        new_id = row.id
    result = announce(settings(), [])
    _out({"id": new_id, "resent_from": delivery_id, **result})


DEFAULT_RECOMMEND_DATA = ("fj2_train.csv", "fj2_dev.csv", "fj3_hot_messages_full.csv")


@eval_app.command("recommend")
def eval_recommend(
    data: Annotated[list[Path] | None, typer.Option("--data", help="附件2/附件3-style CSV (repeatable); default: "
                                                    "fj2_train, fj2_dev, fj3 in ../shared/data/taidi2020.")] = None,
    test_share: Annotated[float, typer.Option("--test-share", min=0.05, max=0.5)] = 0.2,
) -> None:
    """Offline test of the recommender on a time split (what a district asks about next); last line JSON."""
    from massline.publish.recommend import evaluate

    paths = data or [Path("../shared/data/taidi2020") / name for name in DEFAULT_RECOMMEND_DATA]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _refuse(f"missing data: {', '.join(missing)}")
    with console.status("recommend: reading…") as status:
        result = evaluate(paths, test_share=test_share, progress=lambda m: status.update(f"[bold]recommend:[/] {m}"))
    for name in ("popularity_baseline", "simple", "learned"):
        row = result[name]
        console.print(f"{name:>20}: hit rate@5 {row['hit_rate@5']:.3f}  nDCG@5 {row['ndcg@5']:.3f}")
    typer.echo(json.dumps(result, ensure_ascii=False))
