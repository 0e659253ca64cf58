"""``massline triage list|decide``: the dispatcher's queue from the command line."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from massline.cli._apps import app, bad_input, console, database_url, print_table

triage_app = typer.Typer(help="The triage queue: messages the classifier was not sure about.", no_args_is_help=True)
app.add_typer(triage_app, name="triage")


def _staff_view(text: str) -> str:
    """Text as staff may see it (personal data masked by the privacy feature when installed)."""
    try:
        from massline.privacy import mask_text
    except ImportError:
        return text
    return str(mask_text(text, output="staff"))


@triage_app.command("list")
def triage_list_cmd(
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Default: 50 in a table, all in JSON.")] = None,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    fmt: Annotated[str, typer.Option("--format", help="table (default) or json (one JSON array, the last line; "
                                                      "all items unless --limit is given).")] = "table",
) -> None:
    """Messages waiting for a dispatcher, oldest first."""
    from massline.analyze.routing import triage_count, triage_queue
    from massline.db.session import session_scope

    if fmt not in ("table", "json"):
        raise typer.BadParameter("choose table or json", param_hint="--format")
    with session_scope(database_url()) as session:
        total = triage_count(session)
        items = triage_queue(session, limit=limit or (max(total, 1) if fmt == "json" else 50), offset=offset)
    if fmt == "json":
        typer.echo(json.dumps([{"message_id": i.message_id, "external_id": i.external_id,
                                "suggested_category": i.category, "confidence": i.confidence,
                                "suggested_department": i.department, "reason": i.reason} for i in items],
                              ensure_ascii=False))
        return
    print_table(f"triage queue: {total} waiting", ("message", "suggested", "confidence", "title / text"),
                ((str(item.message_id), item.category or "?",
                  "" if item.confidence is None else f"{item.confidence:.2f}",
                  _staff_view(item.title or item.excerpt)[:60]) for item in items))


@triage_app.command("decide")
def triage_decide_cmd(
    message_id: Annotated[int, typer.Argument()],
    category: Annotated[str, typer.Option("--category", help="The category the dispatcher decides.")],
    actor: Annotated[str, typer.Option("--actor", help="Who decides (audited).")],
    department: Annotated[str | None, typer.Option("--department", help="Default: the routing rule.")] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
) -> None:
    """Decide a message's category (and department); stored, audited, and used for retraining."""
    from massline.analyze.routing import decide
    from massline.db.session import session_scope

    with bad_input():
        with session_scope(database_url()) as session:
            decision = decide(session, message_id, category, department, actor=actor, reason=reason)
            out = {"message_id": decision.message_id, "category": decision.category,
                   "department": decision.department_code, "actor": decision.actor}
    console.print(f"[green]message {message_id}: {out['category']} → {out['department']}[/]")
    typer.echo(json.dumps(out, ensure_ascii=False))
