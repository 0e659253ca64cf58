"""``massline worker``, ``massline status`` and ``massline tasks …``: running and watching the engine."""

from __future__ import annotations

import json
import os
import socket
import threading
from typing import Annotated

import typer

from massline.cli._apps import app, console, database_url, err_console, print_table, settings
from massline.core.config import Settings

tasks_app = typer.Typer(help="Background tasks: dead letters, retries.", no_args_is_help=True)
app.add_typer(tasks_app, name="tasks")


def _warm_up(s: Settings) -> None:
    """Build the analysis pipeline (jieba dictionaries, the model) once in the parent process, so the
    pool processes forked from it start warm instead of each paying seconds on its first task; the
    forked processes get their own database connections (inherited ones are dropped, not closed)."""
    from celery.signals import worker_process_init

    from massline.db.session import get_engine, session_scope
    from massline.serve.requests import analysis_pipeline

    with session_scope(s.resolved_database_url()) as session:
        analysis_pipeline(s, session)

    def fresh_connections(**_: object) -> None:
        get_engine(s.resolved_database_url()).dispose(close=False)

    worker_process_init.connect(fresh_connections, weak=False)


@app.command("worker")
def worker_cmd(
    concurrency: Annotated[int, typer.Option("--concurrency", "-c", min=1, help="Worker processes.")] = 2,
    pool: Annotated[str, typer.Option("--pool", help="Celery pool: prefork (default), threads or solo.")] = "prefork",
    loglevel: Annotated[str, typer.Option("--loglevel")] = "INFO",
    nice: Annotated[int, typer.Option("--nice", min=0, max=19, help="Lower this worker's CPU priority by N (and "
                                      "its session's, where the kernel groups sessions): on a machine shared with "
                                      "web processes, answering requests goes first.")] = 0,
    idle: Annotated[bool, typer.Option("--idle", help="Run under SCHED_IDLE (Linux): only when the web processes "
                                       "started from the same session (or cgroup) leave a core free; stronger "
                                       "than --nice (see massline.engine.priority).")] = False,
) -> None:
    """Run a Celery worker for MASSLINE_BROKER_URL (analysis, routing and batch tasks)."""
    from massline.engine.celery_app import celery_app, keep_alive, use_settings
    from massline.engine.priority import lower_priority

    lower_priority(nice, idle=idle)
    s = settings()
    if not s.broker_url:
        err_console.print("[red]no broker configured: set MASSLINE_BROKER_URL (e.g. "
                          "amqp://guest:guest@127.0.0.1:5672//); without one, tasks run inside the process that "
                          "submits them[/]")
        raise typer.Exit(2)
    database_url()
    use_settings(s)
    _warm_up(s)
    hostname = f"massline-{os.getpid()}@{socket.gethostname()}"
    stop = threading.Event()
    threading.Thread(target=keep_alive, args=(s, f"celery-{hostname}", concurrency, stop), daemon=True).start()
    try:
        celery_app(s.broker_url, s.broker_queue).worker_main([
            "worker", f"--concurrency={concurrency}", f"--pool={pool}", f"--loglevel={loglevel}",
            f"--queues={s.broker_queue}", f"--hostname={hostname}", "--without-gossip", "--without-mingle"])
    finally:
        stop.set()


@app.command("status")
def status_cmd(
    fmt: Annotated[str, typer.Option("--format", help="table or json (the last line is one JSON object).")] = "table",
) -> None:
    """Queued, running and done tasks, unresolved failures and live workers (0 queued + 0 running = all done)."""
    from massline.engine import status

    database_url()
    out = status(settings())
    if fmt == "table":
        print_table(f"engine ({out['mode']})", ("queued", "running", "done", "failed", "workers"),
                    [[str(out[k]) for k in ("queued", "running", "done", "failed", "workers")]])
    elif fmt != "json":
        raise typer.BadParameter("--format must be table or json")
    typer.echo(json.dumps(out, ensure_ascii=False))


@tasks_app.command("failures")
def failures_cmd(all_: Annotated[bool, typer.Option("--all", help="Also those already retried or dismissed.")] = False,
                 limit: Annotated[int, typer.Option("--limit", min=1)] = 50) -> None:
    """Dead-letter records: tasks that failed after all their retries."""
    from sqlalchemy import select

    from massline.db.models.engine import TaskFailure
    from massline.db.session import session_scope

    with session_scope(settings().resolved_database_url()) as session:
        query = select(TaskFailure).order_by(TaskFailure.id.desc()).limit(limit)
        if not all_:
            query = query.where(TaskFailure.resolved_at.is_(None))
        rows = list(session.scalars(query))
        print_table(f"{len(rows)} task failure(s)",
                    ("id", "task", "name", "attempts", "failed at (UTC)", "error", "resolution"),
                    ([str(r.id), r.task_id[:12], r.name, str(r.attempts), r.failed_at.strftime("%Y-%m-%d %H:%M:%S"),
                      r.error[:80], r.resolution or ""] for r in rows))


def _resolve(failure_id: int, resolution: str, actor: str) -> str:
    from massline.core.errors import NotFoundError
    from massline.db.base import utcnow
    from massline.db.models.engine import EngineTask, TaskFailure
    from massline.db.session import session_scope
    from massline.engine import ledger

    with session_scope(settings().resolved_database_url()) as session:
        failure = session.get(TaskFailure, failure_id)
        if failure is None:
            raise NotFoundError(f"no task failure {failure_id}")
        failure.resolved_at, failure.resolved_by, failure.resolution = utcnow(), actor, resolution
        task = session.get(EngineTask, failure.task_id)
        if resolution == "retried" and task is not None:
            task.state, task.attempts, task.error = ledger.QUEUED, 0, None
        return failure.task_id


@tasks_app.command("retry")
def retry_cmd(failure_id: int, actor: Annotated[str, typer.Option("--actor")] = "admin") -> None:
    """Queue the task of a dead-letter record again (attempts start from zero)."""
    from massline.core.errors import NotFoundError
    from massline.engine.client import dispatch

    try:
        task_id = _resolve(failure_id, "retried", actor)
    except NotFoundError as exc:
        err_console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    dispatch(settings(), [task_id])
    console.print(f"[green]task {task_id} queued again[/]")


@tasks_app.command("dismiss")
def dismiss_cmd(failure_id: int, actor: Annotated[str, typer.Option("--actor")] = "admin") -> None:
    """Mark a dead-letter record as handled without running the task again."""
    from massline.core.errors import NotFoundError

    try:
        task_id = _resolve(failure_id, "dismissed", actor)
    except NotFoundError as exc:
        err_console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    console.print(f"task {task_id} dismissed")


@tasks_app.command("requeue")
def requeue_cmd() -> None:
    """Send every queued task again (after a broker was wiped or a publish failed; running one twice is safe)."""
    from sqlalchemy import select

    from massline.db.models.engine import EngineTask
    from massline.db.session import session_scope
    from massline.engine import ledger
    from massline.engine.client import dispatch

    with session_scope(settings().resolved_database_url()) as session:
        ids = list(session.scalars(select(EngineTask.id).where(EngineTask.state == ledger.QUEUED)))
    sent = dispatch(settings(), ids)
    typer.echo(json.dumps({"requeued": sent, "queued": len(ids)}))
    if sent < len(ids):
        err_console.print("[red]the broker could not be reached: the rest stay queued[/]")
        raise typer.Exit(1)
