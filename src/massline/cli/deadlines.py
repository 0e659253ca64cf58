"""``massline calendar list|set|clear|check`` and ``massline workorders escalate|notifications``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from massline.cli._apps import app, bad_input, console, database_url, print_table
from massline.cli.report import workorders_app
from massline.core.clock import fmt_local
from massline.db.session import session_scope

calendar_app = typer.Typer(help="Working-day calendar: statutory holidays (chinesecalendar) plus the "
                                "administrator's overrides.", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")


@calendar_app.command("list")
def calendar_list_cmd(year: Annotated[int | None, typer.Option("--year")] = None) -> None:
    """The administrator's overrides (holiday / workday by date)."""
    from massline.serve.calendar import KIND_LABELS, list_overrides

    with session_scope(database_url()) as session:
        rows = [(r.day.isoformat(), f"{KIND_LABELS[r.kind]} ({r.kind})", r.note or "", r.updated_by)
                for r in list_overrides(session, year)]
    print_table(f"{len(rows)} override(s)", ("date", "kind", "note", "by"), rows)


@calendar_app.command("set")
def calendar_set_cmd(
    day: Annotated[str, typer.Argument(help="YYYY-MM-DD")],
    kind: Annotated[str, typer.Argument(help="holiday or workday")],
    actor: Annotated[str, typer.Option("--actor", help="Who decides (audited).")] = "admin",
    note: Annotated[str | None, typer.Option("--note", help="Why, e.g. 台风停工")] = None,
) -> None:
    """Declare DAY a holiday or a working day for deadlines (overrides the statutory calendar)."""
    from massline.serve.calendar import set_day

    with bad_input():
        with session_scope(database_url()) as session:
            set_day(session, day, kind, actor=actor, note=note)
    console.print(f"[green]{day}: {kind}[/]")


@calendar_app.command("clear")
def calendar_clear_cmd(
    day: Annotated[str, typer.Argument(help="YYYY-MM-DD")],
    actor: Annotated[str, typer.Option("--actor")] = "admin",
    reason: Annotated[str | None, typer.Option("--reason")] = None,
) -> None:
    """Remove the override of DAY (the statutory calendar applies again)."""
    from massline.serve.calendar import clear_day

    with bad_input():
        with session_scope(database_url()) as session:
            clear_day(session, day, actor=actor, reason=reason)
    console.print(f"[green]{day}: override removed[/]")


@calendar_app.command("check")
def calendar_check_cmd(day: Annotated[str, typer.Argument(help="YYYY-MM-DD")]) -> None:
    """Is DAY a working day here? (last line: JSON)"""
    from massline.serve.calendar import day_info

    with bad_input():
        with session_scope(database_url()) as session:
            info = day_info(session, day)
    console.print(f"{info.day}: {'工作日' if info.working else '休息日'} ({info.source})")
    typer.echo(json.dumps({"day": info.day.isoformat(), "working": info.working, "source": info.source}))


@workorders_app.command("escalate")
def escalate_cmd() -> None:
    """Escalate overdue cases (event on the case + in-app notification); running it again adds nothing."""
    from massline.serve.escalation import escalate_overdue

    with session_scope(database_url()) as session:
        done = escalate_overdue(session)
    print_table(f"{len(done)} case(s) escalated", ("case", "level", "to"),
                ((str(e.work_order_id), str(e.level), e.to_department or "—") for e in done))
    typer.echo(json.dumps({"escalated": len(done), "cases": [e.work_order_id for e in done]}))


@workorders_app.command("notifications")
def notifications_cmd(unread: Annotated[bool, typer.Option("--unread")] = False,
                      limit: Annotated[int, typer.Option("--limit", min=1)] = 50) -> None:
    """The in-app notifications (escalations), newest first."""
    from massline.serve.escalation import notifications

    with session_scope(database_url()) as session:
        rows = [(str(n.id), fmt_local(n.created_at), str(n.work_order_id or ""), n.text)
                for n in notifications(session, unread_only=unread, limit=limit)]
    print_table(f"{len(rows)} notification(s)", ("id", "at", "case", "text"), rows)
