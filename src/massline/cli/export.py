"""``massline export messages`` (thin wrapper over :func:`massline.store.export.export_messages`)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer

from massline.cli._apps import database_url, err_console, export_app, settings
from massline.core.errors import InputError
from massline.store.export import FORMATS, export_messages


@export_app.command("messages")
def export_messages_cmd(
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout)")] = None,
    role: Annotated[str, typer.Option(help="Whose view: personal data is masked for this role")] = "analyst",
) -> None:
    """One record per message with every current analysis result; personal data masked for ROLE."""
    if fmt not in FORMATS:
        err_console.print(f"[red]error:[/] --format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        raise typer.Exit(2)
    cfg = settings()
    database_url()
    actor = f"cli:{getpass.getuser()}"
    try:
        if output is None:
            count = export_messages(cfg, sys.stdout, fmt=fmt, role=role, actor=actor)
        else:
            with output.open("w", encoding="utf-8", newline="") as out:
                count = export_messages(cfg, out, fmt=fmt, role=role, actor=actor)
    except InputError as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    err_console.print(f"exported {count} messages" + (f" to {output}" if output else ""))
