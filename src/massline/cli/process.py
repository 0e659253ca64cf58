"""``massline process PATH…`` (ingest → analyse → route) and ``massline workorders list``.

``process`` is the one command a centre runs on a new export: every stored message ends as a
case in its department or as an item in the triage queue (see ``massline.serve.process``).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from massline.cli._apps import app, console, err_console, print_table, settings
from massline.cli.report import workorders_app
from massline.core.errors import ModelNotTrainedError

FORMATS = ("table", "json")


def run_processing(*, only_new: bool, batch_size: int) -> None:
    """Analyse (new) messages with a progress bar, open the routed cases, print the summary and JSON."""
    from massline.serve.process import process_messages

    progress = Progress(TextColumn("analyse + route"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err_console, transient=True)
    try:
        with progress:
            task = progress.add_task("analyse", total=None)
            summary = process_messages(settings(), only_new=only_new, batch_size=batch_size,
                                       progress=lambda done, total: progress.update(task, completed=done, total=total))
    except ModelNotTrainedError as exc:
        err_console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    analysis = summary.analysis
    if analysis is not None:
        print_table(f"analysed {analysis.messages} message(s)", ("category", "messages"),
                    ((c, str(n)) for c, n in analysis.categories.most_common()))
    console.print(f"cases opened: {summary.cases_opened} · waiting in triage: {summary.triage}")
    typer.echo(json.dumps(summary.to_dict(), ensure_ascii=False))


@app.command("process")
def process_cmd(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or http(s) URLs, as for `massline ingest`.")],
    profile: Annotated[str | None, typer.Option(help="Column profile (default: detected).")] = None,
    maps: Annotated[list[str] | None, typer.Option("--map", help="COLUMN=TARGET (repeat).")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 64,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="With a broker: follow the enqueued chunks "
                                       "with a progress bar instead of returning once they are enqueued.")] = False,
) -> None:
    """Ingest, analyse and route: each message becomes a case in its department or waits in triage.

    With MASSLINE_BROKER_URL set, the inputs are stored and committed here and the analysis and
    routing of the messages they gave enqueued for the workers (chunks of --batch-size); without, every
    message not yet analysed is analysed and routed in this process."""
    from massline.cli.analyze import fan_out
    from massline.cli.ingest import run_ingest, stored_ids

    report = run_ingest(paths, profile, maps or [])
    if settings().broker_url:
        try:
            fan_out(True, batch_size, message_ids=stored_ids(report), follow=wait)
        except ModelNotTrainedError as exc:
            err_console.print(f"[red]stored, but nothing enqueued:[/] {exc}")
            raise typer.Exit(2) from exc
        return
    run_processing(only_new=True, batch_size=batch_size)


@workorders_app.command("list")
def workorders_list_cmd(
    status: Annotated[list[str] | None, typer.Option("--status", help="Only these statuses (repeat).")] = None,
    department: Annotated[str | None, typer.Option("--department", help="Lead department code.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Default: 50 in a table, all in JSON.")] = None,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    fmt: Annotated[str, typer.Option("--format", help="table or json (a JSON array as the last line).")] = "table",
) -> None:
    """Cases, oldest first; times in the installation's zone (ISO 8601 with offset in JSON)."""
    from massline.db.session import session_scope
    from massline.serve.queries import case_records

    if fmt not in FORMATS:
        raise typer.BadParameter("choose table or json", param_hint="--format")
    with session_scope(settings().resolved_database_url()) as session:
        rows = case_records(session, status=status, department=department,
                            limit=limit or (None if fmt == "json" else 50), offset=offset)
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    print_table(f"{len(rows)} case(s)", ("id", "message", "department", "status", "created", "due"),
                ((str(r["id"]), str(r["external_id"] or r["message_id"] or ""), r["department"] or "",
                  r["status_label"], (r["created_at"] or "")[:16].replace("T", " "),
                  (r["due_at"] or "")[:16].replace("T", " ")) for r in rows))
