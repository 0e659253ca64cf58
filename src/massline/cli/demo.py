"""``massline demo``: the bundled real sample, analysed and routed, with demo users, served on :8000.

Every step is idempotent (re-running adds nothing twice) and calls the owning feature:
schema (db), intake (``massline.ingest``), classifier training (``massline train classify``,
skipped when a model exists), analysis (``massline.analyze.run``), work orders for routed
messages and the 附件4 replies (``massline.serve``), demo users (passwords printed once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from massline.cli._apps import app, console, err_console, settings
from massline.core.config import Settings
from massline.core.errors import MasslineError, ModelNotTrainedError
from massline.db.session import session_scope, upgrade


@dataclass
class DemoReport:
    ingested: int = 0
    analysed: int = 0
    routed: int = 0
    imported_replies: int = 0
    passwords: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def _model_exists(cfg: Settings) -> bool:
    return any(p.is_file() for p in cfg.models_dir().rglob("*"))


def _train(cfg: Settings) -> None:
    args = ["--database-url", cfg.resolved_database_url(), "--data-dir", str(cfg.resolved_data_dir()),
            "train", "classify"]
    app(args, standalone_mode=False)


def open_routed_work_orders(cfg: Settings) -> int:
    """A work order for every message the router sent straight to a department (none twice), received at the
    message's own time — the same path as ``massline process`` (``massline.serve.process``)."""
    from massline.serve.process import open_routed_cases

    with session_scope(cfg.resolved_database_url()) as session:
        return open_routed_cases(session).cases_opened


def run_demo(cfg: Settings, progress: Progress | None = None, *, train: bool = True) -> DemoReport:
    """Everything ``massline demo`` does before serving; safe to run again."""
    from massline.web.pages.sample import ensure_demo_users, ensure_routing

    report = DemoReport()
    url = cfg.resolved_database_url()

    def step(name: str) -> Any:
        return progress.add_task(name, total=1) if progress is not None else None

    def done(task: Any) -> None:
        if progress is not None and task is not None:
            progress.update(task, completed=1)

    task = step("schema")
    upgrade(url)
    with session_scope(url) as session:
        ensure_routing(session)
    done(task)

    task = step("ingest bundled sample")
    from massline.ingest.samples import sample_paths
    from massline.ingest.service import ingest_paths

    result = ingest_paths(cfg, sample_paths())
    report.ingested = sum(f.new for f in result.files)
    done(task)

    task = step("classifier")
    if not train:
        report.skipped.append("classifier training (--no-train)")
    elif not _model_exists(cfg):
        try:
            _train(cfg)
        except (MasslineError, SystemExit, Exception) as exc:  # a missing trainer must not stop the demo
            report.skipped.append(f"classifier training: {exc}")
    done(task)

    task = step("analyse")
    try:
        from massline.analyze.run import analyze_messages

        report.analysed = analyze_messages(cfg, only_new=True).messages
    except ModelNotTrainedError as exc:
        report.skipped.append(f"analysis: {exc}")
    done(task)

    task = step("work orders")
    from massline.serve.history import import_replies

    with session_scope(url) as session:  # answered 附件4 messages first: their real replies make closed cases
        report.imported_replies = import_replies(session)
    report.routed = open_routed_work_orders(cfg)
    done(task)

    task = step("demo users")
    with session_scope(url) as session:
        report.passwords = ensure_demo_users(session)
    done(task)
    return report


@app.command("demo")
def demo_cmd(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Prepare everything, do not serve.")] = False,
    no_train: Annotated[bool, typer.Option("--no-train", help="Do not train a missing classifier (faster; "
                                                               "messages then wait for a dispatcher).")] = False,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Load the bundled real sample, analyse and route it, create demo users, and serve the web app."""
    cfg = settings()
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console)
    with progress:
        report = run_demo(cfg, progress, train=not no_train)
    console.print(f"messages stored: {report.ingested} · analysed: {report.analysed} · "
                  f"routed to work orders: {report.routed} · replies imported: {report.imported_replies}")
    for note in report.skipped:
        err_console.print(f"[yellow]skipped[/] {note}")
    if report.passwords:
        console.print("[bold]Demo users (passwords are shown only this once):[/]")
        for username, password in report.passwords.items():
            console.print(f"  {username:<11} {password}")
    else:
        console.print("Demo users exist already (admin, dispatcher, handler, analyst); "
                      "reset a password with `massline users` if needed.")
    if no_serve:
        return
    from massline.cli.serve import serve

    console.print(f"[bold green]Log in at http://{host}:{port}/staff/login[/] — public portal: http://{host}:{port}/")
    serve(host, port)
