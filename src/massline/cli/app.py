"""Entry point of the ``massline`` command. Importing the command modules registers their commands."""

from __future__ import annotations

import importlib

from massline.cli._apps import app

#: Command modules, each owning its commands. A missing optional module is skipped so
#: the CLI works while a feature is being built.
COMMAND_MODULES = (
    "massline.cli.db",
    "massline.cli.ingest",
    "massline.cli.export",
    "massline.cli.analyze",
    "massline.cli.classify",
    "massline.cli.triage",
    "massline.cli.pii",
    "massline.cli.serve",
    "massline.cli.report",
    "massline.cli.process",
    "massline.cli.deadlines",
    "massline.cli.users",
    "massline.cli.demo",
    "massline.cli.screenshots",
    "massline.cli.forecast",
    "massline.cli.replies",
    "massline.cli.posts",
    "massline.cli.claims",
    "massline.cli.consult",
    "massline.cli.guide",
    "massline.cli.engine",
)

for _module in COMMAND_MODULES:
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as exc:  # only the module itself being absent is tolerated
        if exc.name != _module:
            raise


def main() -> None:
    app()


if __name__ == "__main__":
    main()
