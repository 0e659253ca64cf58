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

from massline.cli._apps import app, bad_input, console, err_console, eval_app, print_table, settings

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

    with bad_input():
        loaded = load(settings(), data, since=parse_bound(since, "--since"), until=parse_bound(until, "--until"))
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


@guide_app.command("bursts")
def bursts_cmd(
    data: DataOpt = None, since: SinceOpt = None, until: UntilOpt = None,
    fmt: Annotated[ListFormat, typer.Option("--format", help="table or json (one array, last line).")]
    = ListFormat.table,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many alerts (newest first).")] = 100,
) -> None:
    """Sudden rises per issue, district and topic, detected online (seasonality-aware), with their reasons."""
    from massline.guide.bursts import detect
    from massline.guide.hot import analyse
    from massline.guide.risk import score_alert

    loaded = _load(data, since, until)
    bar, hook = _progress()
    with bar:
        analysis = analyse(loaded.messages, progress=hook)
    alerts = sorted(detect(analysis), key=lambda a: a.detected_at, reverse=True)[:limit]
    for alert in alerts:
        risk = score_alert(analysis, alert)
        alert.reasons.extend(f"risk: {r}" for r in risk.reasons)
    if fmt is ListFormat.json:
        typer.echo(json.dumps([a.as_json() for a in alerts], ensure_ascii=False))
        return
    print_table(f"bursts ({len(analysis.messages)} messages)",
                ("检测时间", "类型", "标签", "观测/期望", "得分", "留言", "原因"),
                ([f"{a.detected_at:%Y-%m-%d %H:%M}", a.kind, a.label, f"{a.observed}/{a.expected:.2f}",
                  f"{a.score:.1f}", str(len(a.message_ids)), "; ".join(a.reasons[:2])] for a in alerts))


@guide_app.command("inject")
def inject_cmd(
    data: Annotated[Path, typer.Option("--data", help="泰迪杯-style CSV to copy.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV to write (the copy plus the burst).")],
    size: Annotated[int, typer.Option("--size", min=1, help="Messages in the burst.")] = 8,
    hours: Annotated[float, typer.Option("--hours", min=0.0, help="Over how many hours.")] = 6.0,
    template: Annotated[str | None, typer.Option("--template", help="留言编号 of the message to copy.")] = None,
    start: Annotated[str | None, typer.Option("--start", help="Start (Beijing time; default: a day after the "
                                                             "last message).")] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Write a copy of a file with a synthetic burst appended (to test and measure burst detection)."""
    from massline.guide.inject import write_with_burst
    from massline.guide.service import parse_bound

    with bad_input():
        burst = write_with_burst(data, output, template_id=template, size=size, hours=hours,
                                 start=parse_bound(start, "--start"), seed=seed)
    console.print(f"[green]wrote[/] {output}: {size} injected messages from {burst[0].created_at:%Y-%m-%d %H:%M} "
                  f"(留言编号 {burst[0].external_id} …)")


def _analysis_of(data: Path) -> Any:
    """A file read directly (no database) and analysed — the evaluations' input."""
    from massline.guide.corpus import read_file
    from massline.guide.hot import analyse

    with bad_input():
        messages = read_file(data)
    bar, hook = _progress()
    with bar:
        return analyse(messages, progress=hook)


def _default_fj3() -> Path:
    from massline.analyze.classify.data import shared_data_file

    return shared_data_file("fj3_hot_messages_full.csv")


@eval_app.command("bursts")
def eval_bursts_cmd(
    data: Annotated[Path | None, typer.Option("--data", help="Archive to measure on (default: the shipped "
                                                              "fj3_hot_messages_full.csv).")] = None,
    repeats: Annotated[int, typer.Option("--repeats", min=1, help="Injections per size × speed cell.")] = 3,
) -> None:
    """False alarms per month and detection delay of injected bursts (size × speed); last line = JSON."""
    from massline.guide.evaluate import evaluate_bursts

    analysis = _analysis_of(data or _default_fj3())
    bar, hook = _progress()
    with bar:
        result = evaluate_bursts(analysis, repeats=repeats, progress=hook)
    fa = result["false_alarms"]
    console.print(f"false alarms: {fa['alerts']} alerts over {fa['months']} months = {fa['alerts_per_month']}/month "
                  f"(by kind {fa['by_kind']})")
    print_table("injected bursts", ("size", "hours", "runs", "detected", "≤ 1 day", "median delay (h)"),
                ([str(c["size"]), f"{c['hours']:g}", str(c["runs"]), f"{c['detected']:.0%}",
                  f"{c['within_1_day']:.0%}",
                  "—" if c["median_delay_hours"] is None else f"{c['median_delay_hours']:.1f}"]
                 for c in result["injected"]["grid"]))
    typer.echo(json.dumps(result, ensure_ascii=False))


class Period(StrEnum):
    week = "week"
    month = "month"


@guide_app.command("topics")
def topics_cmd(
    data: DataOpt = None, since: SinceOpt = None, until: UntilOpt = None,
    period: Annotated[Period, typer.Option("--period", help="Track topics by week or month.")] = Period.month,
    refit: Annotated[bool, typer.Option("--refit", help="Refit the topic model (default: assign to the saved "
                                                        "one, fitting it only when there is none).")] = False,
    k: Annotated[int | None, typer.Option("--k", min=2, help="Number of topics when fitting.")] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", help="table or json (one object, last line).")]
    = ListFormat.table,
) -> None:
    """Topics with labels, sizes and status over time (new, growing, stable, fading, quiet)."""
    from massline.guide.hot import analyse
    from massline.guide.service import topic_view

    loaded = _load(data, since, until)
    if len(loaded.messages) < 2:
        err_console.print("[yellow]too few messages for topics[/]")
        if fmt is ListFormat.json:
            typer.echo(json.dumps({"periods": [], "other": [], "topics": []}))
        return
    bar, hook = _progress()
    with bar:
        analysis = analyse(loaded.messages, progress=hook)
    view = topic_view(settings(), analysis, period=period.value, refit=refit, k=k)
    err_console.print(f"[dim]{view.model_note}[/]")
    if fmt is ListFormat.json:
        typer.echo(json.dumps({"periods": view.periods, "other": view.other, "topics": view.topics},
                              ensure_ascii=False))
        return
    last = view.periods[-4:]
    print_table(f"topics by {period.value} ({len(analysis.messages)} messages)",
                ("topic", "留言", "状态", "标签", *last),
                ([str(t["topic_id"]), str(t["count"]), t["status"], t["label"],
                  *(str(v) for v in t["series"][-len(last):])] for t in view.topics))


@eval_app.command("topics")
def eval_topics_cmd(
    data: Annotated[Path | None, typer.Option("--data", help="Archive (default: the shipped "
                                                              "fj3_hot_messages_full.csv).")] = None,
) -> None:
    """NPMI coherence (k sweep) and two-halves stability of the topics; last line = JSON."""
    from massline.guide.evaluate import evaluate_topics

    analysis = _analysis_of(data or _default_fj3())
    bar, hook = _progress()
    with bar:
        result = evaluate_topics(analysis, progress=hook)
    console.print(f"NPMI (k={result['k']}): {result['npmi']}; sweep {result['k_sweep']}")
    console.print(f"two halves: ARI {result['stability']['ari']}, NMI {result['stability']['nmi']}, "
                  f"top-word Jaccard {result['stability']['top_word_jaccard']}")
    typer.echo(json.dumps(result, ensure_ascii=False))
