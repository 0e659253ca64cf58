"""The typer apps every command module attaches to, and the per-invocation settings.

Command modules import from here (never from ``app.py``), which keeps the CLI free of
import cycles: ``app.py`` imports the command modules, they import only this file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from massline.core.config import Settings

console = Console()
err_console = Console(stderr=True)

app = typer.Typer(
    name="massline",
    help="massline — listen to, understand, inform and serve the public online.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
train_app = typer.Typer(help="Train learned components from shipped or confirmed data.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate learned components; the LAST line printed is a JSON object.",
                       no_args_is_help=True)
export_app = typer.Typer(help="Export data (personal data masked by default).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
app.add_typer(export_app, name="export")

_state: dict[str, Settings] = {}


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Print rows of already-formatted cells as one Rich table (the listing commands' common shape)."""
    table = Table(title=title)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def settings() -> Settings:
    """Settings for this invocation (environment, overridden by the global CLI options)."""
    if "settings" not in _state:
        _state["settings"] = Settings()
    return _state["settings"]


@app.callback()
def _root(
    database_url: Annotated[str | None, typer.Option("--database-url", envvar="MASSLINE_DATABASE_URL",
                                                     help="SQLAlchemy URL (default: SQLite in the data dir).")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", envvar="MASSLINE_DATA_DIR",
                                                  help="Data directory (database, models, secret).")] = None,
) -> None:
    overrides: dict[str, object] = {}
    if database_url:
        overrides["database_url"] = database_url
    if data_dir:
        overrides["data_dir"] = data_dir
    _state["settings"] = Settings(**overrides)  # type: ignore[arg-type]
