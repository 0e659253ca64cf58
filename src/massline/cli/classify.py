"""``massline train classify`` and ``massline eval classify`` (thin wrappers over
``massline.analyze.classify.service``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from massline.cli._apps import bad_input, console, err_console, eval_app, settings, train_app
from massline.core.errors import InputError


@train_app.command("classify")
def train_classify(
    data: Annotated[list[Path] | None, typer.Option("--data", help="附件2-style CSV/XLSX (repeatable; "
                                                    "default: the shipped fj2_train.csv).")] = None,
    confirmed: Annotated[bool, typer.Option("--confirmed/--no-confirmed",
                                            help="Add dispatchers' confirmed labels from the database.")] = True,
    force: Annotated[bool, typer.Option("--force", help="Replace the deployed model even when the new one "
                                                        "scores worse on the dev data.")] = False,
) -> None:
    """Train the category classifier and save it into the data directory."""
    from massline.analyze.classify.service import train_classifier

    cfg = settings()
    with bad_input("cannot train"):
        with console.status("training the category classifier…") as status:
            outcome = train_classifier(cfg, data or [], use_confirmed=confirmed, force=force,
                                       progress=lambda msg: status.update(f"[bold]classify:[/] {msg}"))
    meta = outcome.model.meta
    console.print(f"trained on {meta['n']} messages from {', '.join(str(p) for p in outcome.files)}")
    console.print(f"confirmed labels added: {outcome.n_confirmed} ({outcome.confirmed_note})")
    cv = meta.get("cross_validation", {})
    if cv:
        console.print(f"cross-validated accuracy on the training data: {cv['accuracy']:.3f}")
    routing = meta.get("routing") or {}
    if routing:
        console.print(f"routing threshold {routing['threshold']:.3f}: lower 95 % Wilson bound of out-of-fold "
                      f"accuracy {routing['wilson_lower']:.2%} ≥ {routing['target_accuracy']:.0%} among the "
                      f"{routing['coverage']:.1%} routed automatically")
    if outcome.dev_metrics:
        console.print(f"dev ({Path(str(outcome.dev_metrics['data'])).name}): "
                      + json.dumps({k: v for k, v in outcome.dev_metrics.items() if k != "data"}))
    console.print(f"[green]model {outcome.model.version}[/] saved to {outcome.path}")


@eval_app.command("classify")
def eval_classify(
    data: Annotated[Path, typer.Option("--data", help="附件2-style CSV/XLSX with 一级标签 or 一级分类.")],
    threshold: Annotated[float | None, typer.Option(help="Routing threshold (default: MASSLINE_ROUTE_THRESHOLD "
                                                         "when set, else the model's bound-based choice).")] = None,
) -> None:
    """Evaluate the installed model; the LAST line printed is one JSON object."""
    from massline.analyze.classify.data import read_labelled
    from massline.analyze.classify.evaluate import evaluate
    from massline.analyze.classify.service import load_or_train
    from massline.analyze.classify.threshold import TARGET_ACCURACY, effective_threshold, wilson_lower

    cfg = settings()
    try:
        labelled = read_labelled(data)
        for problem in labelled.skipped:
            err_console.print(f"[yellow]skipped[/] {data}: {problem}")
        with console.status("loading the category classifier…") as status:
            model = load_or_train(cfg, progress=lambda msg: status.update(f"[bold]classify:[/] {msg}"),
                                  announce=console.print)
            status.update("classifying…")
            cut, source = (threshold, "option") if threshold is not None else effective_threshold(cfg)
            result = evaluate(model, labelled.examples, cut)
    except (InputError, ValueError) as exc:
        err_console.print(f"[red]cannot evaluate:[/] {exc}")
        raise typer.Exit(2) from exc
    table = Table(title=f"{data.name} — model {result.model_version}")
    for col in ("class", "precision", "recall", "F1", "support"):
        table.add_column(col, justify="left" if col == "class" else "right")
    for row in result.per_class:
        table.add_row(row.label, f"{row.precision:.3f}", f"{row.recall:.3f}", f"{row.f1:.3f}", str(row.support))
    table.add_row("[bold]macro[/]", "", "", f"[bold]{result.macro_f1:.3f}[/]", str(result.n))
    console.print(table)
    confusion = Table(title="confusion (rows: true, columns: predicted)")
    confusion.add_column("true \\ predicted")
    for label in result.labels:
        confusion.add_column(label[:4], justify="right")
    for label, counts in zip(result.labels, result.confusion, strict=True):
        confusion.add_row(label, *(str(c) for c in counts))
    console.print(confusion)
    console.print(f"accuracy {result.accuracy:.4f}; at threshold {cut:.2f}: {result.coverage_at_threshold:.1%} "
                  f"routed automatically, {result.accuracy_at_threshold:.2%} of them correct")
    routed = round(result.coverage_at_threshold * result.n)
    hits = round(result.accuracy_at_threshold * routed)
    typer.echo(json.dumps({**result.summary(), "threshold": round(cut, 4), "threshold_source": source,
                           "target_accuracy": TARGET_ACCURACY,
                           "wilson_lower_at_threshold": round(wilson_lower(hits, routed), 4),
                           "model_version": result.model_version}))
