"""``massline guide hot|bursts|topics`` and ``massline eval topics|bursts`` (thin wrappers over ``massline.guide``).

Machine output (``--format json``) is one JSON array on the LAST stdout line; progress and notes go to stderr.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from massline.cli._apps import app, console, err_console, print_table, settings
from massline.core.errors import InputError

guide_app = typer.Typer(help="Guide (引导): hot issues, bursts and topics over time.", no_args_is_help=True)
app.add_typer(guide_app, name="guide")


class HotFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


class ListFormat(StrEnum):
    table = "table"
    json = "json"


DataOpt = Annotated[Path | None, typer.Option("--data", help="A 泰迪杯-style CSV/XLSX: ingested (idempotently), "
                                                             "then only its messages are used.")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="From this date (Beijing time), e.g. 2019-08-01.")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Before this date (Beijing time).")]


def _progress() -> tuple[Progress, Any]:
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err_console, transient=True)
    tasks: dict[str, TaskID] = {}

    def hook(what: str, done: int, total: int) -> None:
        if what not in tasks:
            tasks[what] = bar.add_task(what, total=total)
        bar.update(tasks[what], completed=done, total=total)

    return bar, hook


def _load(data: Path | None, since: str | None, until: str | None) -> Any:
    from massline.guide.service import load, parse_bound

    try:
        loaded = load(settings(), data, since=parse_bound(since, "--since"), until=parse_bound(until, "--until"))
    except InputError as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    err_console.print(f"[dim]{loaded.note}[/]")
    if not loaded.messages:
        err_console.print("[yellow]no messages to analyse[/]")
    return loaded


@guide_app.command("hot")
def hot_cmd(
    data: DataOpt = None, since: SinceOpt = None, until: UntilOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many issues.")] = 10,
    fmt: Annotated[HotFormat, typer.Option("--format", help="table, json (one array, last line) or xlsx.")]
    = HotFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Directory for --format xlsx.")] = None,
) -> None:
    """Rank hot issues (one problem at one place or group) by the heat index, with its parts."""
    from massline.guide.export import write_tables
    from massline.guide.hot import analyse, rank_issues

    if fmt is HotFormat.xlsx and output is None:
        err_console.print("[red]error:[/] --output DIR is required for --format xlsx")
        raise typer.Exit(2)
    loaded = _load(data, since, until)
    bar, hook = _progress()
    with bar:
        analysis = analyse(loaded.messages, progress=hook)
    hot = rank_issues(analysis, top=top)
    if fmt is HotFormat.json:
        typer.echo(json.dumps([h.as_json() for h in hot], ensure_ascii=False))
        return
    if fmt is HotFormat.xlsx:
        assert output is not None
        paths = write_tables(analysis, hot, output, users=loaded.users)
        console.print(f"[green]wrote[/] {paths[0]} and {paths[1]} ({len(hot)} issues, "
                      f"{sum(len(h.members) for h in hot)} messages)")
        return
    print_table(f"hot issues ({len(analysis.messages)} messages, {len(analysis.issues)} issues)",
                ("排名", "问题ID", "热度", "地点/人群 问题描述", "时间范围", "留言", "人数", "赞/反对", "热度构成"),
                ([str(h.rank), h.issue_id, f"{h.heat:.2f}", h.label,
                  f"{h.start:%Y-%m-%d}…{h.end:%Y-%m-%d}", str(len(h.message_ids)), str(h.users),
                  f"{h.likes}/{h.dislikes}", " ".join(f"{k[:3]} {v:.1f}" for k, v in h.heat_parts.items())]
                 for h in hot))
