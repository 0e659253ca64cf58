"""``massline eval pii``, ``massline pii scan|mask|make-evalset``: thin wrappers over massline.privacy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from massline.cli._apps import app, console, err_console, eval_app
from massline.core.errors import MasslineError
from massline.privacy import find_pii, mask_text
from massline.privacy.evalset import (
    base_texts,
    compile_marked,
    fingerprint,
    generate,
    read_exclusions,
    write_jsonl,
)
from massline.privacy.evaluate import evaluate, load_records

pii_app = typer.Typer(help="Personal data: find, mask, build the evaluation set.", no_args_is_help=True)
app.add_typer(pii_app, name="pii")

DEFAULT_SOURCE = Path("../shared/data/taidi2020/fj2_dev.csv")


@contextmanager
def _clear_errors() -> Iterator[None]:
    """Bad input (file, field, output, role) → one red line and exit code 2, not a traceback."""
    try:
        yield
    except MasslineError as exc:
        err_console.print(f"[red]{exc}[/]", markup=True)
        raise typer.Exit(2) from exc


@eval_app.command("pii")
def eval_pii(
    data: Annotated[Path, typer.Option("--data", help="JSONL: {id, text, spans: [[start, end, TYPE], …]}.")],
    show_errors: Annotated[int, typer.Option("--show-errors", help="Print up to N misses/false positives.")] = 0,
) -> None:
    """Per-type precision/recall of the recognizers; the LAST line is the overall JSON."""
    if not data.exists():
        err_console.print(f"[red]{data}: file not found[/]")
        raise typer.Exit(2)
    with _clear_errors():
        scores = evaluate(load_records(data), find_pii)
    table = Table(title=f"PII recognizers on {data} (span-level, exact type, ≥50 % overlap both ways)")
    for col in ("type", "gold", "predicted", "precision", "recall", "f1"):
        table.add_column(col, justify="right" if col != "type" else "left")
    for entity, s in scores.per_type().items():
        table.add_row(entity, str(s["gold"]), str(s["predicted"]), f"{s['precision']:.3f}", f"{s['recall']:.3f}",
                      f"{s['f1']:.3f}")
    console.print(table)
    for err in scores.errors[:show_errors]:
        console.print(f"{err['kind']:>14} {err['type']:<13} {err['id']}: {err['text']}", markup=False)
    typer.echo(json.dumps(scores.overall(), ensure_ascii=False))


@pii_app.command("scan")
def scan(text: Annotated[str, typer.Argument(help="Text to scan.")]) -> None:
    """Show the personal data found in TEXT, with offsets, scores and reasons."""
    table = Table()
    for col in ("start", "end", "type", "text", "score", "reason"):
        table.add_column(col)
    for f in find_pii(text):
        table.add_row(str(f.start), str(f.end), f.type, f.text, f"{f.score:.2f}", f.reason)
    console.print(table)


@pii_app.command("mask")
def mask(
    text: Annotated[str, typer.Argument(help="Text to mask.")],
    output: Annotated[str, typer.Option(help="public | feed | export | staff")] = "public",
    role: Annotated[str | None, typer.Option(help="administrator | dispatcher | handler | analyst | editor | public")]
    = None,
) -> None:
    """TEXT as OUTPUT would show it to ROLE."""
    from massline.cli._apps import settings

    with _clear_errors():
        typer.echo(mask_text(text, output, role, secret=settings().resolved_secret_key()
                             if output in ("export", "staff") else None))


@pii_app.command("make-evalset")
def make_evalset(
    source: Annotated[Path, typer.Option(help="附件2 CSV whose 留言详情 are the base texts.")] = DEFAULT_SOURCE,
    out_dir: Annotated[Path, typer.Option(help="Where generated.jsonl and tricky.jsonl go.")] = Path("evaluation/pii"),
    n: Annotated[int, typer.Option(help="Generated records.")] = 600,
    seed: Annotated[int, typer.Option(help="Random seed (fixed → same file).")] = 20260,
    exclusions: Annotated[Path, typer.Option(help="Reviewed base texts to leave out.")]
    = Path("evaluation/pii/base_excluded.txt"),
    review: Annotated[bool, typer.Option("--review", help="Only list what the recognizers find in the base texts.")]
    = False,
) -> None:
    """Regenerate evaluation/pii/generated.jsonl (and compile tricky.txt / real.txt → .jsonl)."""
    with _clear_errors():
        _make_evalset(source, out_dir, n, seed, read_exclusions(exclusions), review)


def _make_evalset(source: Path, out_dir: Path, n: int, seed: int, excluded: frozenset[str], review: bool) -> None:
    if review:
        for text in base_texts(source, max_chars=10**9, excluded=excluded):
            for f in find_pii(text):
                console.print(f"{fingerprint(text)}\t{f.type}\t{text[max(0, f.start - 12):f.start]}"
                              f"[{f.text}]{text[f.end:f.end + 6]}", markup=False)
        return
    count = write_jsonl(generate(source, n=n, seed=seed, excluded=excluded), out_dir / "generated.jsonl")
    console.print(f"{count} generated records → {out_dir / 'generated.jsonl'}")
    for name in ("tricky", "real"):  # hand-written / hand-labelled sets with [[TYPE|value]] markers
        marked = out_dir / f"{name}.txt"
        if marked.exists():
            lines = marked.read_text(encoding="utf-8").splitlines()
            count = write_jsonl(compile_marked(lines, prefix=name), out_dir / f"{name}.jsonl")
            console.print(f"{count} {name} records → {out_dir / f'{name}.jsonl'}")
