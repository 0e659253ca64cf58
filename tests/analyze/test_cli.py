"""The analysis, routing and triage commands are thin wrappers; the last line of an eval is JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import massline.cli.analyze
import massline.cli.triage  # noqa: F401  (registers the commands)
from massline.analyze.run import analyze_messages
from massline.cli._apps import app
from massline.core.config import Settings
from massline.db.session import get_sessionmaker

runner = CliRunner()


def _invoke(url: str, data_dir: Path, *args: str) -> Any:
    return runner.invoke(app, ["--database-url", url, "--data-dir", str(data_dir), *args])


@pytest.mark.parametrize("task", ["request-type", "urgency", "sentiment"])
def test_when_eval_rule_component_then_last_line_is_json_with_scores(task: str) -> None:
    result = runner.invoke(app, ["eval", task])
    assert result.exit_code == 0, result.output
    last = json.loads(result.output.strip().splitlines()[-1])
    assert last["n"] == 120 and 0.55 < last["accuracy"] <= 1 and 0.4 < last["macro_f1"] <= 1
    assert last["holdout_n"] == 60


def test_when_eval_data_is_bad_then_error_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "t", "body": "b", "label": "angry"}\n', encoding="utf-8")
    result = runner.invoke(app, ["eval", "request-type", "--data", str(bad)])
    assert result.exit_code == 2
    said = " ".join(result.output.split())  # rich wraps long lines
    assert "line 1" in said and "field 'label'" in said


def test_when_analyze_without_model_then_it_says_to_train(sqlite_url: str, tmp_path: Path, add_messages: Any) -> None:
    with get_sessionmaker(sqlite_url)() as session:
        add_messages(session, [("t", "b")])
    result = _invoke(sqlite_url, tmp_path, "analyze")
    assert result.exit_code == 2
    assert "massline train classify" in result.output


def test_when_dispatcher_uses_the_cli_then_queue_and_decision_work(
    sqlite_url: str, tmp_path: Path, add_messages: Any, fake_model: Any
) -> None:
    session: Session
    with get_sessionmaker(sqlite_url)() as session:
        ids = add_messages(session)
    settings = Settings(database_url=sqlite_url, data_dir=tmp_path, secret_key="s")
    analyze_messages(settings, configs={"analyze.category": {"model": fake_model}})
    listed = _invoke(sqlite_url, tmp_path, "triage", "list")
    assert listed.exit_code == 0 and "1 waiting" in listed.output
    decided = _invoke(sqlite_url, tmp_path, "triage", "decide", str(ids[3]), "--category", "商贸旅游",
                      "--actor", "d1", "--reason", "物业")
    assert decided.exit_code == 0, decided.output
    assert json.loads(decided.output.strip().splitlines()[-1])["department"] == "swj"
    assert "0 waiting" in _invoke(sqlite_url, tmp_path, "triage", "list").output
    bad = _invoke(sqlite_url, tmp_path, "triage", "decide", str(ids[0]), "--category", "x", "--actor", "d1")
    assert bad.exit_code == 2 and "unknown category" in bad.output
    assert _invoke(sqlite_url, tmp_path, "routing", "set", "卫生计生", "a2", "--actor", "admin").exit_code == 0
    shown = _invoke(sqlite_url, tmp_path, "routing", "show")
    assert "A2区人民政府" in shown.output
