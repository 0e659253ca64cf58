"""``massline consult import|groups|export`` and ``massline eval consult``: thin wrappers over massline.consult."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from massline.cli._apps import app, console, database_url, err_console, eval_app, print_table
from massline.core.errors import MasslineError

consult_app = typer.Typer(help="Consultations (Pol.is-style opinion groups).", no_args_is_help=True)
app.add_typer(consult_app, name="consult")

DEFAULT_POLIS = Path("../shared/data/polis")
EXPORT_HELP = "Pol.is open-data export folder (comments.csv, votes.csv)"


def _fail(exc: Exception) -> typer.Exit:
    err_console.print(f"[red]error:[/] {exc}")
    return typer.Exit(2)


@consult_app.command("import")
def import_cmd(
    polis_export: Annotated[Path, typer.Option("--polis-export", help=EXPORT_HELP)],
    slug: Annotated[str | None, typer.Option(help="URL name of the new consultation")] = None,
) -> None:
    """Import a Pol.is export as a closed consultation (statements, pseudonymous participants, votes)."""
    from massline.consult.polis_io import read_export
    from massline.consult.service import import_polis
    from massline.db.session import session_scope

    url = database_url()
    try:
        export = read_export(polis_export)
        with session_scope(url) as session:
            c = import_polis(session, export, slug=slug)
            slug_out, cid = c.slug, c.id
    except MasslineError as exc:
        raise _fail(exc) from None
    console.print(f"imported {len(export.comments)} statements, {len(export.votes)} votes "
                  f"→ consultation {cid} /consult/{slug_out}")
    print(json.dumps({"consultation": slug_out, "statements": len(export.comments), "votes": len(export.votes)}))  # noqa: T201


@consult_app.command("groups")
def groups_cmd(
    polis_export: Annotated[Path, typer.Option("--polis-export", help=EXPORT_HELP)],
    fmt: Annotated[str, typer.Option("--format", help="json or table")] = "json",
    participants: Annotated[str, typer.Option(
        help="who takes part in k-means: 'auto' (as the export shows Pol.is did), 'current' "
             "(participants above the vote minimum, current Pol.is), 'all-voters' (older Pol.is)")] = "auto",
    seed: int = 0,
) -> None:
    """Opinion groups of a Pol.is export; last line: {"groups", "k", "consensus", "representative"}."""
    from massline.consult.analysis import analyze
    from massline.consult.evaluate import polis_clusters_low_vote
    from massline.consult.matrix import VoteMatrix
    from massline.consult.polis_io import POLIS_ATTRIBUTION, read_export

    if fmt not in ("json", "table") or participants not in ("auto", "current", "all-voters"):
        raise _fail(ValueError("--format must be json or table; --participants auto, current or all-voters"))
    try:
        export = read_export(polis_export)
    except MasslineError as exc:
        raise _fail(exc) from None
    matrix = VoteMatrix.from_votes(export.votes, [c.id for c in export.comments])
    legacy = participants == "all-voters" or (participants == "auto" and polis_clusters_low_vote(export, matrix))
    result = analyze(matrix, sorted(export.moderated_out), seed=seed, cluster_all_voters=legacy)
    err_console.print(f"[dim]{POLIS_ATTRIBUTION}[/]")
    if fmt == "table" and result.groups is not None:
        print_table(f"{export.name}: {result.groups.k} groups", ["group", "size", "representative"],
                    [(str(g), str(n), ", ".join(str(r.statement) for r in result.representative.get(g, [])))
                     for g, n in enumerate(result.groups.sizes())])
    sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")


@eval_app.command("consult")
def eval_consult(
    data: Annotated[Path, typer.Option("--data", help="folder holding the Pol.is exports")] = DEFAULT_POLIS,
    seed: int = 0,
) -> None:
    """Adjusted Rand index and representative-statement overlap vs Pol.is's own groups, per export."""
    from massline.consult.evaluate import evaluate

    if not data.is_dir():
        raise _fail(ValueError(f"--data {data}: not a folder"))
    report = evaluate(data, seed=seed)
    print_table("consult vs Pol.is", ["export", "k (Pol.is)", "compared", "ARI", "ARI current rule", "rep overlap"],
                [(e["export"], f"{e.get('k')} ({e['polis_k']})", str(e.get("compared")), str(e.get("ari")),
                  str(e.get("ari_default")), str(e.get("rep_overlap"))) for e in report["exports"]])
    err_console.print(f"[dim]{report['attribution']}[/]")
    sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
