"""Durable-first intake on a real RabbitMQ: requests are accepted and readable with no worker running,
then two real worker processes route every one exactly once; ``massline process`` enqueues likewise.

Needs ``MASSLINE_TEST_BROKER_URL`` and PostgreSQL (``MASSLINE_TEST_DATABASE_URL``); skipped visibly
otherwise. Each run uses its own queue, deleted afterwards (fixture ``broker_settings``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from tests.engine.conftest import start_worker, stop_workers, wait_for
from tests.engine.intake_checks import assert_routed_once, intake_client, post
from tests.paths import SRC

from massline.core.config import Settings
from massline.db.models.engine import EngineTask
from massline.db.models.message import AnalysisResult, Message
from massline.db.models.workorders import WorkOrder
from massline.db.session import session_scope
from massline.engine import status, wait

REQUESTS = 40
PENDING = "已受理，正在分派"
ROWS = ("留言编号,留言用户,留言主题,留言时间,留言详情\n"
        + "".join(f"{900 + i},U{i},{w}问题,2019/2/8 9:0{i}:00,A2区这里的{w}问题很严重，{w}需要尽快解决。\n"
                  for i, w in enumerate(("噪音", "工资", "公交", "污染", "社保", "地铁"))))


def _process_cli(settings: Settings, path: Path) -> dict[str, object]:
    """``massline process PATH`` with the broker set (as an operator runs it); its last JSON line."""
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "MASSLINE_BROKER_URL": str(settings.broker_url), "MASSLINE_BROKER_QUEUE": settings.broker_queue,
           "MASSLINE_SECRET_KEY": "test-secret", "MASSLINE_ROUTE_THRESHOLD": str(settings.route_threshold)}
    done = subprocess.run([sys.executable, "-c", "from massline.cli.app import main; main()",
                           "--database-url", settings.resolved_database_url(), "--data-dir", str(settings.data_dir),
                           "process", str(path)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_requests_are_readable_before_any_worker_runs_then_routed_exactly_once(broker_settings: Settings,
                                                                              tmp_path: Path) -> None:
    settings = broker_settings
    url = settings.resolved_database_url()
    with intake_client(settings) as (client, key):
        ids = [int(str(post(client, key, i)["service_request_id"])) for i in range(REQUESTS)]
        for rid in ids:  # accepted and committed, nobody has routed them yet
            seen = client.get(f"/open311/v2/requests/{rid}.json").json()[0]
            assert (seen["status"], seen["status_notes"], seen["agency_responsible"]) == ("open", PENDING, None)
        csv = tmp_path / "fj2_broker.csv"
        csv.write_text(ROWS, encoding="utf-8")
        enqueued = _process_cli(settings, csv)
        assert enqueued["enqueued"] is True and enqueued["messages"] == 6 and enqueued["chunks"] == 1
        with session_scope(url) as session:
            pending = session.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.routing_pending))
            assert pending == REQUESTS
            stored = list(session.scalars(select(Message.id).where(Message.external_id.is_not(None))))
            assert len(stored) == 6 and session.scalar(select(func.count()).select_from(AnalysisResult).where(
                AnalysisResult.message_id.in_(stored), AnalysisResult.key == "route")) == 0  # stored, not analysed
            task_ids = list(session.scalars(select(EngineTask.id)))
        assert status(settings)["queued"] == REQUESTS + 1

        workers = [start_worker(settings), start_worker(settings)]
        try:
            assert wait_for(lambda: status(settings)["workers"] == 2, 90), "workers did not come up"
            counts = wait(settings, task_ids, timeout=180)
            with session_scope(url) as session:
                errors = list(session.execute(select(EngineTask.name, EngineTask.attempts, EngineTask.error)
                                              .where(EngineTask.state != "done")))
            assert counts == {"queued": 0, "running": 0, "done": REQUESTS + 1, "failed": 0}, errors
        finally:
            stop_workers(workers)
        routed = [client.get(f"/open311/v2/requests/{rid}.json").json()[0] for rid in ids]
        assert {r["status_notes"] for r in routed} == {"已分派至承办单位"}
        assert {r["agency_responsible"] for r in routed} == {"生态环境局"}
    assert_routed_once(url, ids)
    with session_scope(url) as session:
        routes = dict(session.execute(select(AnalysisResult.message_id, func.count())
                                      .where(AnalysisResult.message_id.in_(stored), AnalysisResult.key == "route",
                                             AnalysisResult.current.is_(True))
                                      .group_by(AnalysisResult.message_id)).all())
        assert routes == dict.fromkeys(stored, 1)
        cases = dict(session.execute(select(WorkOrder.message_id, func.count())
                                     .where(WorkOrder.message_id.in_(stored))
                                     .group_by(WorkOrder.message_id)).all())
        assert cases and set(cases.values()) == {1}  # the routed rows of the file got exactly one case each
