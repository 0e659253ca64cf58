"""What a process builds to keep — the app, the cleaning pipeline — is frozen out of the garbage
collector's full collections (``massline.core.memory``): a web process under load must not stall for
a full collection walking half a million dictionary objects."""

from __future__ import annotations

import subprocess
import sys

from tests.paths import SRC

PROBE = """
import gc, tempfile
from fastapi.testclient import TestClient
from massline.core.config import Settings
from massline.web.app import create_app
from massline.ingest.process import clean_pipeline

settings = Settings(data_dir=tempfile.mkdtemp())
with TestClient(create_app(settings)):
    app_frozen = gc.get_freeze_count()
with TestClient(create_app(settings)):  # a second app in the same process freezes nothing more (freed ones leave)
    again = gc.get_freeze_count()
clean_pipeline()
built = gc.get_freeze_count()
print(app_frozen > 100_000, again <= app_frozen, built - again > 100_000)
"""


def test_the_app_and_the_cleaning_pipeline_are_frozen_once_per_process() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "True", "True"]
