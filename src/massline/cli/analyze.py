"""``massline analyze``, ``massline eval request-type`` and ``massline routing show|set|load``."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from massline.cli._apps import app, console, err_console, eval_app, settings
from massline.core.errors import InputError, ModelNotTrainedError

if TYPE_CHECKING:
    from massline.serve.process import ProcessSummary

routing_app = typer.Typer(help="The category → department routing table (audited edits).", no_args_is_help=True)
app.add_typer(routing_app, name="routing")


def _offer_training() -> bool:
    """On a terminal, offer to train the classifier now; True when it was trained."""
    if not sys.stdin.isatty() or not typer.confirm("Train the classifier now (massline train classify)?"):
        return False
    s = settings()
    args = ["--database-url", s.resolved_database_url(), "--data-dir", str(s.resolved_data_dir()), "train", "classify"]
    app(args, standalone_mode=False)
    return True


def _run_with_progress(only_new: bool, batch_size: int) -> ProcessSummary:
    """Analyse and route: what is analysed is also routed (cases opened, the rest left in triage)."""
    from massline.serve.process import process_messages

    progress = Progress(TextColumn("analyse"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console)
    with progress:
        task = progress.add_task("analyse", total=None)
        return process_messages(
            settings(), only_new=only_new, batch_size=batch_size,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )


def fan_out(only_new: bool, batch_size: int, *, message_ids: Sequence[int] | None = None,
            follow: bool = True) -> None:
    """Send the messages (``message_ids``, else all or the not yet analysed ones) to the engine in
    chunks (their cases opened when routed) and, with ``follow``, follow them with a progress bar;
    else print what was enqueued and return (``massline ingest``/``process`` with a broker, for the
    messages they stored: ``massline status`` shows the progress).

    Resumable: a chunk's ledger key is its message ids plus the pipeline's component versions,
    so running the same command again after an interruption re-sends nothing that finished, and
    each chunk skips messages whose results are already those of the current versions.
    """
    from massline.analyze.run import select_message_ids
    from massline.db.session import session_scope
    from massline.engine import submit_chunks, wait
    from massline.engine.client import mode
    from massline.engine.tasks import expected_versions
    from massline.serve.requests import analysis_pipeline

    s = settings()
    with session_scope(s.resolved_database_url()) as session:
        ids = list(message_ids) if message_ids is not None else select_message_ids(session, only_new)
        pipeline = analysis_pipeline(s, session)
        versions = expected_versions(pipeline) if pipeline is not None else {}
    if "analyze.category" not in versions:
        raise ModelNotTrainedError("no category model is trained yet: run `massline train classify` first")
    batch, task_ids = submit_chunks(s, "analyze_chunk", ids, chunk_size=batch_size,
                                    args={"open_cases": True, "versions": versions})
    if not follow:
        typer.echo(json.dumps({"messages": len(ids), "chunks": len(task_ids), "batch": batch, "mode": mode(s),
                               "enqueued": True}))
        return
    progress = Progress(TextColumn(f"analyse ({mode(s)}, chunks of {batch_size})"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console)
    with progress:
        task = progress.add_task("chunks", total=len(task_ids))
        counts = wait(s, task_ids, progress=lambda done, total: progress.update(task, completed=done, total=total))
    typer.echo(json.dumps({"messages": len(ids), "chunks": len(task_ids), "batch": batch, **counts}))
    if counts["failed"]:
        err_console.print("[red]some chunks failed after their retries: see `massline tasks failures`[/]")
        raise typer.Exit(1)


@app.command("analyze")
def analyze_cmd(
    all_: Annotated[bool, typer.Option("--all", help="Re-analyse every stored message.")] = False,
    only_new: Annotated[bool, typer.Option("--only-new", help="Only messages without results (default).")] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Messages per batch/transaction.")] = 64,
    engine: Annotated[bool | None, typer.Option(
        "--engine/--inline", help="Fan chunks out to the engine (default when MASSLINE_BROKER_URL is set; also "
        "opens the cases of routed messages) or analyse in this process.")] = None,
) -> None:
    """Run the analysis pipeline on stored messages and save versioned results."""
    if all_ and only_new:
        raise typer.BadParameter("choose --all or --only-new, not both")
    if engine if engine is not None else bool(settings().broker_url):
        try:
            fan_out(not all_, batch_size)
        except ModelNotTrainedError as exc:
            err_console.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from exc
        return
    try:
        processed = _run_with_progress(not all_, batch_size)
    except ModelNotTrainedError as exc:
        err_console.print(f"[red]{exc}[/]")
        if not _offer_training():
            raise typer.Exit(2) from exc
        processed = _run_with_progress(not all_, batch_size)
    summary = processed.analysis
    assert summary is not None  # process_messages always analyses
    table = Table(title=f"analysed {summary.messages} message(s), {summary.written} result row(s) written")
    table.add_column("category")
    table.add_column("messages", justify="right")
    for category, count in summary.categories.most_common():
        table.add_row(category, str(count))
    console.print(table)
    routed = sum(summary.queues.values())
    if routed:
        console.print(f"routed automatically: {summary.queues.get('auto', 0)}/{routed} ({summary.auto_share:.1%}); "
                      f"triage: {summary.queues.get('triage', 0)}; kept dispatcher decisions: {summary.kept_human}")
    console.print(f"cases opened: {processed.cases_opened}; waiting in triage: {processed.triage}")
    typer.echo(json.dumps({**summary.to_dict(), "cases_opened": processed.cases_opened,
                           "triage_waiting": processed.triage}, ensure_ascii=False))


def _eval(task: str, data: Path | None) -> None:
    from massline.analyze.evaluate import DEFAULT_SAMPLE, evaluate_task

    try:
        out = evaluate_task(task, data or DEFAULT_SAMPLE)
    except InputError as exc:
        err_console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    table = Table(title=f"{task} on {out['n']} hand-checked messages")
    for col in ("class", "precision", "recall", "f1", "support"):
        table.add_column(col, justify="left" if col == "class" else "right")
    for label, c in out["per_class"].items():
        table.add_row(label, f"{c['precision']:.3f}", f"{c['recall']:.3f}", f"{c['f1']:.3f}", str(c["support"]))
    console.print(table)
    console.print("confusion (gold→predicted): " + ", ".join(f"{k} {v}" for k, v in out["confusion"].items()))
    last = {"accuracy": round(out["accuracy"], 4), "macro_f1": round(out["macro_f1"], 4), "n": out["n"]}
    if "holdout" in out:
        last.update({f"holdout_{k}": round(v, 4) if isinstance(v, float) else v for k, v in out["holdout"].items()})
    typer.echo(json.dumps(last))


DATA_HELP = "JSONL with title, body and the label field (default: the hand-checked sample)."


@eval_app.command("request-type")
def eval_request_type_cmd(data: Annotated[Path | None, typer.Option("--data", help=DATA_HELP)] = None) -> None:
    """Accuracy and macro-F1 of the rule-based request type on a hand-checked sample (field ``label``)."""
    _eval("request_type", data)


@eval_app.command("urgency")
def eval_urgency_cmd(data: Annotated[Path | None, typer.Option("--data", help=DATA_HELP)] = None) -> None:
    """Accuracy and macro-F1 of the urgency rules on a hand-checked sample (field ``urgency``)."""
    _eval("urgency", data)


@eval_app.command("sentiment")
def eval_sentiment_cmd(data: Annotated[Path | None, typer.Option("--data", help=DATA_HELP)] = None) -> None:
    """Accuracy and macro-F1 of the sentiment lexicon on a hand-checked sample (field ``sentiment``)."""
    _eval("sentiment", data)


@routing_app.command("show")
def routing_show_cmd() -> None:
    """Print the routing rules in force (database copy; seeded from routing.yaml)."""
    from massline.analyze.routing import show_rules
    from massline.db.session import session_scope

    with session_scope(settings().resolved_database_url()) as session:
        rows = show_rules(session)
    from massline.analyze.classify.threshold import effective_threshold

    cut, source = effective_threshold(settings())
    table = Table(title=f"routing (auto when confidence ≥ {cut:.3f}, {source})")
    for col in ("category", "department", "name", "updated by", "updated at"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["category"], r["department"], r["name"] or "?", r["updated_by"], str(r["updated_at"])[:16])
    console.print(table)


@routing_app.command("set")
def routing_set_cmd(
    category: Annotated[str, typer.Argument(help="Category, e.g. 城乡建设")],
    department: Annotated[str, typer.Argument(help="Department code, e.g. zjj")],
    actor: Annotated[str, typer.Option("--actor", help="Who makes the change (audited).")] = "admin",
    reason: Annotated[str | None, typer.Option("--reason")] = None,
) -> None:
    """Route CATEGORY to DEPARTMENT from now on (audited as routing.set)."""
    from massline.analyze.routing import set_rule
    from massline.db.session import session_scope

    try:
        with session_scope(settings().resolved_database_url()) as session:
            set_rule(session, category, department, actor=actor, reason=reason)
    except InputError as exc:
        err_console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    console.print(f"[green]{category} → {department}[/]")


@routing_app.command("load")
def routing_load_cmd() -> None:
    """Copy routing.yaml rules into the database for categories that have no rule yet."""
    from massline.analyze.routing.table import ensure_rules
    from massline.db.session import session_scope

    with session_scope(settings().resolved_database_url()) as session:
        added = ensure_rules(session)
    console.print(f"{added} rule(s) added from routing.yaml")
