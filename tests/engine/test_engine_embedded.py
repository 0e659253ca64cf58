"""The embedded engine (no broker): chunked analysis, idempotence, retries, dead letters, status, resume."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from tests.engine.conftest import add_messages
from typer.testing import CliRunner

from massline.cli.app import app
from massline.core.config import Settings
from massline.db.models.engine import EngineTask, TaskFailure
from massline.db.models.message import AnalysisResult
from massline.db.models.workorders import WorkOrder
from massline.db.session import session_scope
from massline.engine import ledger, status, submit, submit_chunks, wait
from massline.engine.embedded import embedded
from massline.engine.tasks import analyze_chunk


def assert_exactly_once(settings: Settings, ids: list[int]) -> None:
    """Every message: one current row per result key; every routed message: exactly one case."""
    with session_scope(settings.resolved_database_url()) as session:
        dup = session.execute(select(AnalysisResult.message_id, AnalysisResult.key, func.count())
                              .where(AnalysisResult.current.is_(True))
                              .group_by(AnalysisResult.message_id, AnalysisResult.key)
                              .having(func.count() > 1)).all()
        assert dup == []
        routed = set(session.scalars(select(AnalysisResult.message_id).where(
            AnalysisResult.key == "department", AnalysisResult.current.is_(True), AnalysisResult.value.is_not(None))))
        with_route = set(session.scalars(select(AnalysisResult.message_id).where(
            AnalysisResult.key == "route", AnalysisResult.current.is_(True))))
        assert with_route == set(ids)
        cases = dict(session.execute(select(WorkOrder.message_id, func.count()).group_by(WorkOrder.message_id)).all())
        routed = {m for m in routed if session.scalar(select(AnalysisResult.value).where(
            AnalysisResult.message_id == m, AnalysisResult.key == "department", AnalysisResult.current.is_(True)))}
        assert routed, "the tiny model should route some messages"
        assert {m: cases.get(m) for m in routed} == {m: 1 for m in routed}
        assert set(cases) == routed


def test_chunks_run_once_and_results_are_exactly_once(engine_settings: Settings) -> None:
    ids = add_messages(engine_settings.resolved_database_url(), 30)
    _, task_ids = submit_chunks(engine_settings, "analyze_chunk", ids, chunk_size=7, args={"open_cases": True})
    assert len(task_ids) == 5
    counts = wait(engine_settings, task_ids, timeout=60)
    assert counts == {"queued": 0, "running": 0, "done": 5, "failed": 0}
    assert_exactly_once(engine_settings, ids)
    # the same chunks again: same ledger rows, nothing re-run
    _, again = submit_chunks(engine_settings, "analyze_chunk", ids, chunk_size=7, args={"open_cases": True})
    assert again == task_ids
    # the task itself skips messages already analysed by these component versions (a redelivery)
    assert analyze_chunk(engine_settings, ids[:7], open_cases=True) == {
        "messages": 7, "analysed": 0, "skipped": 7, "written": 0, "cases": 0}
    assert_exactly_once(engine_settings, ids)
    out = status(engine_settings)
    assert (out["queued"], out["running"], out["done"], out["failed"], out["mode"]) == (0, 0, 5, 0, "embedded")
    assert out["workers"] == 1


def test_failing_task_is_retried_then_dead_lettered(engine_settings: Settings) -> None:
    task_id = submit(engine_settings, "fail", {"message": "boom"})
    assert wait(engine_settings, [task_id], timeout=30)["failed"] == 1
    with session_scope(engine_settings.resolved_database_url()) as session:
        task = session.get(EngineTask, task_id)
        assert task is not None and task.state == "failed" and task.attempts == 2  # 1 try + 1 retry
        failure = session.scalars(select(TaskFailure)).one()
        assert (failure.task_id, failure.name, failure.error) == (task_id, "fail", "RuntimeError: boom")
        assert "RuntimeError" in failure.traceback
    assert status(engine_settings)["failed"] == 1
    runner = CliRunner()
    base = ["--database-url", engine_settings.resolved_database_url(), "--data-dir", str(engine_settings.data_dir)]
    listed = runner.invoke(app, [*base, "tasks", "failures"])
    assert listed.exit_code == 0 and "boom" in listed.output
    shown = runner.invoke(app, [*base, "status", "--format", "json"])
    last = json.loads(shown.output.strip().splitlines()[-1])
    assert {k: last[k] for k in ("queued", "running", "failed")} == {"queued": 0, "running": 0, "failed": 1}
    assert "workers" in last
    dismissed = runner.invoke(app, [*base, "tasks", "dismiss", str(failure.id)])
    assert dismissed.exit_code == 0
    assert status(engine_settings)["failed"] == 0


def test_tasks_of_a_dead_process_are_resumed(engine_settings: Settings) -> None:
    ids = add_messages(engine_settings.resolved_database_url(), 5)
    with session_scope(engine_settings.resolved_database_url()) as session:
        row, _ = ledger.record(session, "analyze_chunk", {"message_ids": ids})
        row.state, row.worker, row.attempts = ledger.RUNNING, "embedded-999999@gone", 1  # its process was killed
        task_id = row.id
    embedded(engine_settings)  # a new pool looks for orphans first
    assert wait(engine_settings, [task_id], timeout=30)["done"] == 1
    with session_scope(engine_settings.resolved_database_url()) as session:
        assert session.scalar(select(func.count()).select_from(AnalysisResult).where(
            AnalysisResult.key == "route", AnalysisResult.current.is_(True))) == 5


def test_unknown_task_is_refused_by_name(engine_settings: Settings) -> None:
    import pytest

    from massline.core.errors import InputError

    with pytest.raises(InputError, match="unknown task 'nope'"):
        submit(engine_settings, "nope")


def test_analyze_command_fans_out_and_resumes(engine_settings: Settings) -> None:
    ids = add_messages(engine_settings.resolved_database_url(), 12)
    runner = CliRunner()
    base = ["--database-url", engine_settings.resolved_database_url(), "--data-dir", str(engine_settings.data_dir)]
    first = runner.invoke(app, [*base, "analyze", "--engine", "--all", "--batch-size", "5"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output.strip().splitlines()[-1])["done"] == 3
    assert_exactly_once(engine_settings, ids)
    with session_scope(engine_settings.resolved_database_url()) as session:
        runs = session.scalar(select(func.sum(EngineTask.attempts)))
    # an interrupted run, run again
    again = runner.invoke(app, [*base, "analyze", "--engine", "--all", "--batch-size", "5"])
    assert again.exit_code == 0, again.output
    with session_scope(engine_settings.resolved_database_url()) as session:
        assert session.scalar(select(func.sum(EngineTask.attempts))) == runs  # nothing finished was sent again
