"""The typer apps every command module attaches to, and the per-invocation settings.

Command modules import from here (never from ``app.py``), which keeps the CLI free of
import cycles: ``app.py`` imports the command modules, they import only this file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from massline.core.config import Settings
from massline.core.errors import InputError, NotFoundError

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


@contextmanager
def bad_input(what: str = "error") -> Iterator[None]:
    """Turn an :class:`InputError` (or a :class:`NotFoundError`) into one red line on stderr and exit code 2.

    Why one helper: bad input (a missing file, an unknown name, a malformed date) must end every
    command the same way — a message naming the field and the problem, never a traceback — and
    scripts rely on exit code 2 meaning "your input", not "our bug".
    """
    try:
        yield
    except (InputError, NotFoundError) as exc:
        err_console.print(f"[red]{what}:[/] {exc}")
        raise typer.Exit(2) from None


def settings() -> Settings:
    """Settings for this invocation (environment, overridden by the global CLI options)."""
    if "settings" not in _state:
        _state["settings"] = Settings()
    return _state["settings"]


_UPGRADED: set[str] = set()


def database_url() -> str:
    """The database of this invocation, its schema brought up to date first (once per invocation).

    Why every command that reads or writes it: the first command of a new installation — say
    ``massline users create admin`` — must not end in "no such table"; on an up-to-date schema the
    upgrade only reads Alembic's version table.
    """
    from massline.db.session import upgrade

    url = settings().resolved_database_url()
    if url not in _UPGRADED:
        upgrade(url)
        _UPGRADED.add(url)
    return url


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
