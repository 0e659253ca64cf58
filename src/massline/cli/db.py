"""``massline db upgrade|downgrade``."""

from __future__ import annotations

from typing import Annotated

import typer

from massline.cli._apps import console, db_app, settings
from massline.db.session import downgrade, upgrade


@db_app.command("upgrade")
def upgrade_cmd(revision: Annotated[str, typer.Argument(help="Target revision")] = "heads") -> None:
    """Create or update the schema to the latest revision."""
    url = settings().resolved_database_url()
    upgrade(url, revision)
    console.print(f"[green]schema up to date[/] ({url.split('@')[-1]})")


@db_app.command("downgrade")
def downgrade_cmd(revision: Annotated[str, typer.Argument(help="Target revision")] = "base") -> None:
    """Roll the schema back (default: drop everything massline created)."""
    downgrade(settings().resolved_database_url(), revision)
    console.print(f"[yellow]schema downgraded to {revision}[/]")
