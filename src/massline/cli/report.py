"""``massline report`` (metrics as a table, CSV or XLSX) and ``massline workorders import-replies|overdue``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from massline.cli._apps import app, bad_input, console, database_url, err_console, print_table, settings
from massline.db.session import session_scope
from massline.serve.history import import_replies
from massline.serve.report import TITLES, fmt_value, report_rows, to_csv, write_xlsx
from massline.serve.sla import load_sla_rules

#: The printed table keeps to what fits a terminal; CSV/XLSX carry every column.
TABLE_KEYS = ("group", "name", "received", "response_rate", "resolution_rate", "satisfaction_rate",
              "response_hours_median", "response_hours_p90", "close_hours_median")

workorders_app = typer.Typer(help="Work orders: import answered messages, deadlines.", no_args_is_help=True)
app.add_typer(workorders_app, name="workorders")


class By(StrEnum):
    category = "category"
    department = "department"
    district = "district"
    month = "month"


class Format(StrEnum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


def _sla_path() -> Path | None:
    return settings().sla_file


@app.command("report")
def report_cmd(
    period: Annotated[str | None, typer.Option("--period", help="YYYY-MM, YYYY or YYYY-MM..YYYY-MM (China time).")]
    = None,
    by: Annotated[By | None, typer.Option("--by", help="Group rows by this dimension (plus a 全部 row).")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table (default), csv or xlsx.")] = Format.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (required for xlsx).")] = None,
) -> None:
    """响应率, 解决率, 满意率 and time to first response / to close, computed in SQL (definitions: README)."""
    with bad_input():
        with session_scope(database_url()) as session:
            rows = report_rows(session, period=period, by=by.value if by else None)
    if fmt is Format.xlsx:
        if output is None:
            err_console.print("[red]--output FILE is required for --format xlsx[/]")
            raise typer.Exit(2)
        write_xlsx(rows, output, title=period or "metrics")
        console.print(f"[green]wrote {len(rows)} rows to {output}[/]")
    elif fmt is Format.csv:
        text = to_csv(rows)
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            console.print(f"[green]wrote {len(rows)} rows to {output}[/]")
    else:
        keys = [k for k in TABLE_KEYS if k != "name" or by is By.department]
        table = Table(title=f"massline report {period or '(all time)'}" + (f" by {by.value}" if by else ""))
        for key in keys:
            table.add_column(TITLES[key], justify="left" if key in ("group", "name") else "right")
        for row in rows:
            table.add_row(*(fmt_value(k, row[k]) for k in keys))
        console.print(table)
        if not any(row["rated"] for row in rows):
            console.print("[dim]满意率 —: no ratings yet (附件4 replies carry none; ratings come from the portal).[/]")


@workorders_app.command("import-replies")
def import_replies_cmd(
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many.")] = None,
) -> None:
    """Closed work orders from stored messages that carry a reply (泰迪杯 附件4 答复意见/答复时间)."""
    with session_scope(database_url()) as session:
        created = import_replies(session, rules=load_sla_rules(_sla_path(), session=session), limit=limit)
    console.print(f"[green]{created} work orders created from answered messages[/]")


@workorders_app.command("overdue")
def overdue_cmd(limit: Annotated[int, typer.Option("--limit", min=1)] = 50) -> None:
    """Open cases past a deadline (``massline.serve.sla.is_overdue``) or escalated, most escalated first."""
    from massline.serve.escalation import overdue_cases

    with session_scope(database_url()) as session:
        rows = [c.as_dict() for c in overdue_cases(session, limit=limit)]
    print_table(f"{len(rows)} open cases overdue or escalated",
                ("id", "status", "department", "时限", "escalation", "due response", "due close"),
                ((str(r["id"]), r["status_label"] or r["status"], r["department"] or "—", r["state_label"],
                  str(r["escalation_level"]), r["due_response_at"], r["due_close_at"]) for r in rows))
