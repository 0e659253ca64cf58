"""``massline serve``: the web app (pages, Open311, REST API) with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from massline.cli._apps import app, console, database_url, settings


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the app on ``host:port`` until interrupted (the schema brought up to date first)."""
    import uvicorn

    from massline.web.app import create_app

    database_url()
    cfg = settings()
    console.print(f"[bold]massline[/] serving on [link]http://{host}:{port}/[/] — staff login: "
                  f"http://{host}:{port}/staff/login")
    uvicorn.run(create_app(cfg), host=host, port=port, log_level="warning")


@app.command("serve")
def serve_cmd(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Serve the staff console, the public portal and the APIs."""
    serve(host, port)
