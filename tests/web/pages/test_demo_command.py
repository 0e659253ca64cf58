"""``massline demo --no-serve`` on the bundled real sample: everything prepared, and a re-run adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from massline.cli.app import app
from massline.db.models.message import Message
from massline.db.models.users import User
from massline.db.models.workorders import WorkOrder
from massline.db.session import get_engine, session_scope


@pytest.mark.slow
def test_when_demo_runs_twice_then_passwords_show_once_and_nothing_is_duplicated(
    tmp_path: Path, fast_hashing: None
) -> None:
    url = f"sqlite:///{tmp_path / 'massline.db'}"
    runner = CliRunner()
    args = ["--database-url", url, "--data-dir", str(tmp_path), "demo", "--no-serve", "--no-train"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "passwords are shown only this once" in first.output
    with session_scope(url) as session:
        counts = [session.scalar(select(func.count()).select_from(t)) for t in (Message, WorkOrder, User)]
    assert counts[0] > 500 and counts[1] > 100 and counts[2] == 4
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert "passwords are shown only this once" not in second.output
    with session_scope(url) as session:
        again = [session.scalar(select(func.count()).select_from(t)) for t in (Message, WorkOrder, User)]
    assert again == counts
    get_engine(url).dispose()
