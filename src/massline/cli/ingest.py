"""``massline ingest PATH|URL...`` and ``massline fetch URL...`` (thin wrappers over :mod:`massline.ingest.service`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from massline.cli._apps import app, console, database_url, err_console, settings
from massline.core.errors import InputError, ModelNotTrainedError
from massline.ingest.profiles import PROFILES, parse_mapping
from massline.ingest.report import IngestReport

MAX_PROBLEMS_SHOWN = 30
#: Messages per engine task when intake enqueues their analysis (as ``massline analyze --batch-size``).
ENGINE_CHUNK = 64


def summary_table(report: IngestReport) -> Table:
    table = Table(title=f"ingest summary ({report.seconds:.1f} s, {report.throughput:.0f} records/s)")
    for name in ("input", "format", "profile", "read", "new", "duplicate", "quarantined", "exact dup.", "near dup."):
        table.add_column(name, justify="left" if name in ("input", "format", "profile") else "right")
    for f in report.files:
        fmt = "304 not modified" if f.not_modified else f.format
        table.add_row(f.origin, fmt, f.profile, str(f.read), str(f.new), str(f.duplicate), str(f.quarantined),
                      str(f.exact_duplicates), str(f.near_duplicates))
    if len(report.files) > 1:
        table.add_row("[b]total[/]", "", "", *(str(report.total(k)) for k in (
            "read", "new", "duplicate", "quarantined", "exact_duplicates", "near_duplicates")))
    return table


def run_ingest(paths: list[str], profile: str | None, maps: list[str]) -> IngestReport:
    # Imported here: intake pulls in the cleaning pipeline and the near-duplicate index (seconds of
    # imports) that every other command, ``massline analyze`` included, would pay at start-up.
    from massline.ingest.service import ingest_paths

    cfg = settings()
    try:
        mapping = parse_mapping(maps)
        if profile is not None and profile not in PROFILES:
            raise InputError(f"unknown profile {profile!r}; known: {', '.join(PROFILES)}", field="--profile")
    except InputError as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    database_url()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def hook(origin: str, done: int, total: int | None) -> None:
            if origin not in tasks:
                tasks[origin] = bar.add_task(origin[-60:], total=total)
            bar.update(tasks[origin], completed=done, total=total)

        report = ingest_paths(cfg, paths, profile=profile, mapping=mapping, progress=hook)
    console.print(summary_table(report))
    problems = report.problems
    for p in problems[:MAX_PROBLEMS_SHOWN]:
        err_console.print(f"[yellow]quarantined[/] {p}")
    more = max(len(problems), report.total("quarantined")) - MAX_PROBLEMS_SHOWN
    if more > 0:
        err_console.print(f"… and {more} more (see the quarantine table)")
    if not report.ok:
        err_console.print("[red]nothing could be read[/]")
        raise typer.Exit(1)
    return report


@app.command("ingest")
def ingest_cmd(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or http(s) URLs "
                                               "(CSV, XLSX, JSONL, HTML, text, RSS/Atom).")],
    profile: Annotated[str | None, typer.Option(help="Column profile (default: detected from the headers): "
                                                     + ", ".join(PROFILES))] = None,
    maps: Annotated[list[str] | None, typer.Option("--map", help="COLUMN=TARGET, e.g. 标题=title (repeat).")] = None,
) -> None:
    """Store inputs verbatim, then read, clean and store their messages; bad rows go to quarantine.

    With MASSLINE_BROKER_URL set, the analysis and routing of the stored messages is enqueued for the
    workers (`massline status` follows it); without, it waits for `massline analyze`."""
    report = run_ingest(paths, profile, maps or [])
    if settings().broker_url:
        _enqueue_analysis(stored_ids(report), ENGINE_CHUNK)


def stored_ids(report: IngestReport) -> list[int]:
    """The messages this run stored (what ``ingest``/``process`` hand to the workers with a broker)."""
    return [i for f in report.files for i in f.message_ids]


def _enqueue_analysis(ids: list[int], batch_size: int) -> None:
    """Hand the analysis and routing of the messages this run stored to the engine's workers.

    The inputs are stored and committed already; without a trained classifier nothing is enqueued
    (a warning says why) rather than failing an intake that succeeded.
    """
    from massline.cli.analyze import fan_out

    try:
        fan_out(True, batch_size, message_ids=ids, follow=False)
    except ModelNotTrainedError as exc:
        err_console.print(f"[yellow]stored; analysis not enqueued:[/] {exc}")


@app.command("fetch")
def fetch_cmd(
    urls: Annotated[list[str], typer.Argument(help="Page or feed URLs (robots.txt, timeouts, size limit, ETag).")],
) -> None:
    """Fetch pages and feeds politely and ingest them (a 304 adds nothing)."""
    bad = [u for u in urls if not u.startswith(("http://", "https://"))]
    if bad:
        err_console.print(f"[red]error:[/] not an http(s) URL: {', '.join(bad)}")
        raise typer.Exit(2)
    run_ingest(urls, None, [])
