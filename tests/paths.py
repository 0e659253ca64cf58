"""Where the package's source lives, for tests that start a fresh interpreter (``PYTHONPATH``) — one
definition, however deep the test sits."""

from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
