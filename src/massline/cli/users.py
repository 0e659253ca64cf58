"""``massline users create|list|password|deactivate|reactivate``, ``users api-key create|revoke|list``,
``users departments seed|list``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from massline.cli._apps import app, bad_input, console, database_url, print_table
from massline.db.session import session_scope
from massline.serve.accounts import (
    create_api_key,
    create_user,
    generate_password,
    get_user,
    list_api_keys,
    list_users,
    revoke_api_key,
    set_active,
    set_password,
)
from massline.serve.departments import list_departments, seed_departments
from massline.serve.roles import ROLES

users_app = typer.Typer(help="Staff users, Open311 API keys and departments (all changes audited).",
                        no_args_is_help=True)
key_app = typer.Typer(help="API keys for Open311 clients (only a hash is stored).", no_args_is_help=True)
dept_app = typer.Typer(help="The department tree.", no_args_is_help=True)
app.add_typer(users_app, name="users")
users_app.add_typer(key_app, name="api-key")
users_app.add_typer(dept_app, name="departments")

ActorOpt = Annotated[str, typer.Option("--actor", help="Who makes the change (audited).")]


@users_app.command("create")
def create_cmd(
    username: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    department: Annotated[str | None, typer.Option("--department", help="Department code (handlers).")] = None,
    password: Annotated[str | None, typer.Option("--password", help="Default: a random one, printed once.")] = None,
    actor: ActorOpt = "cli",
) -> None:
    """Create a user (departments are seeded first if the tree is empty)."""
    secret = password or generate_password()
    with bad_input():
        with session_scope(database_url()) as session:
            if not list_departments(session):
                seed_departments(session)
            user = create_user(session, username=username, password=secret, role=role, department_code=department,
                               actor=actor)
            uid = user.id
    console.print(f"[green]user {username} (id {uid}, {role}) created[/]")
    if password is None:
        console.print(f"password (shown once): [bold]{secret}[/]")


@users_app.command("password")
def password_cmd(username: Annotated[str, typer.Argument()],
                 password: Annotated[str | None, typer.Option("--password")] = None, actor: ActorOpt = "cli") -> None:
    """Set a new password (random and printed once if not given)."""
    secret = password or generate_password()
    with bad_input():
        with session_scope(database_url()) as session:
            set_password(session, get_user(session, username), secret, actor=actor)
    console.print(f"[green]password of {username} changed[/]" + ("" if password else f": [bold]{secret}[/]"))


def _set_active(username: str, active: bool, actor: str, reason: str | None) -> None:
    with bad_input():
        with session_scope(database_url()) as session:
            changed = set_active(session, get_user(session, username), active, actor=actor, reason=reason)
    state = "active" if active else "deactivated"
    console.print(f"[green]{username} is now {state}[/]" if changed else f"{username} was already {state}")


ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Why (audited).")]


@users_app.command("deactivate")
def deactivate_cmd(username: Annotated[str, typer.Argument()], actor: ActorOpt = "cli",
                   reason: ReasonOpt = None) -> None:
    """Refuse every login of USERNAME and end its sessions and tokens at once (reversible)."""
    _set_active(username, False, actor, reason)


@users_app.command("reactivate")
def reactivate_cmd(username: Annotated[str, typer.Argument()], actor: ActorOpt = "cli",
                   reason: ReasonOpt = None) -> None:
    """Let a deactivated user log in again (old sessions stay ended)."""
    _set_active(username, True, actor, reason)


@users_app.command("list")
def list_cmd() -> None:
    with session_scope(database_url()) as session:
        deps = {d.id: d.code for d in list_departments(session)}
        rows = [(str(u.id), u.username, u.role, deps.get(u.department_id or 0, ""), "yes" if u.active else "no")
                for u in list_users(session)]
    print_table("users", ("id", "username", "role", "department", "active"), rows)


@key_app.command("create")
def key_create_cmd(name: Annotated[str, typer.Argument(help="Who the key is for.")], actor: ActorOpt = "cli") -> None:
    """Create a key; the key itself is printed once and never stored."""
    with bad_input():
        with session_scope(database_url()) as session:
            key, plaintext = create_api_key(session, name, actor=actor)
            kid = key.id
    console.print(f"[green]API key {kid} for {name!r} created[/]; key (shown once):")
    typer.echo(plaintext)


@key_app.command("revoke")
def key_revoke_cmd(key: Annotated[str, typer.Argument(help="Key id or prefix.")], actor: ActorOpt = "cli") -> None:
    with bad_input():
        with session_scope(database_url()) as session:
            row = revoke_api_key(session, key, actor=actor)
            name = row.name
    console.print(f"[yellow]API key {key} ({name}) revoked[/]")


@key_app.command("list")
def key_list_cmd() -> None:
    with session_scope(database_url()) as session:
        rows = [(str(k.id), k.name, k.prefix, f"{k.created_at:%Y-%m-%d}",
                 f"{k.revoked_at:%Y-%m-%d}" if k.revoked_at else "") for k in list_api_keys(session)]
    print_table("API keys", ("id", "name", "prefix", "created", "revoked"), rows)


@dept_app.command("seed")
def dept_seed_cmd(path: Annotated[Path | None, typer.Option("--path", help="routing.yaml (default: shipped).")]
                  = None) -> None:
    """Create/update departments from the routing YAML (or the built-in tree)."""
    with bad_input():
        with session_scope(database_url()) as session:
            created = seed_departments(session, path)
    console.print(f"[green]{created} departments created[/]")


@dept_app.command("list")
def dept_list_cmd() -> None:
    with session_scope(database_url()) as session:
        deps = list_departments(session)
        by_id = {d.id: d.code for d in deps}
        rows = [(d.code, d.name, d.level, by_id.get(d.parent_id or 0, "")) for d in deps]
    print_table("departments", ("code", "name", "level", "parent"), rows)
