"""Command line: thin typer wrappers over plain functions that tests import directly."""
