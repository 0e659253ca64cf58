"""Commit before answer, ids never reused: checked against real servers.

* 200 Open311 POSTs to a real uvicorn server on PostgreSQL (8 at a time), each read back the
  moment its answer arrives: zero misses.
* A uvicorn *process* on SQLite is killed with SIGKILL right after its answers arrive: after a
  restart every confirmed request is there, and new ids are greater than all old ones — also
  after the row with the highest id is lost.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import text

from massline.core.config import Settings
from massline.db.models.workorders import WorkOrder
from massline.db.session import get_engine, session_scope
from massline.serve.accounts import create_api_key
from massline.serve.departments import seed_departments
from massline.web.app import create_app

REPO = Path(__file__).resolve().parents[2]
POSTS = 8
FORM = {"service_code": "huanjing-baohu", "address_string": "A1区泉塘街道", "attribute[title]": "夜间施工噪音"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _api_key(url: str) -> str:
    with session_scope(url) as session:
        seed_departments(session)
        _, key = create_api_key(session, "durability test")
    return key


@pytest.fixture
def pg_server(pg_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A real uvicorn server (in a thread) on the PostgreSQL test database: (base URL, API key)."""
    from tests.conftest import _truncate_all

    _truncate_all(pg_url)
    key = _api_key(pg_url)
    settings = Settings(database_url=pg_url, data_dir=tmp_path / "data", secret_key="test-secret", api_rate_limit=0)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", key
    server.should_exit = True
    thread.join(timeout=10)
    _truncate_all(pg_url)


def test_when_200_requests_are_posted_then_each_reads_back_at_once(pg_server: tuple[str, str]) -> None:
    base, key = pg_server

    def post_then_read(i: int) -> tuple[int, int, str]:
        with httpx.Client(base_url=base, timeout=120) as client:
            data = {**FORM, "api_key": key, "description": f"第{i}号：工地夜间施工噪音扰民",
                    "attribute[publish]": "yes" if i % 2 else "no"}
            created = client.post("/open311/v2/requests.json", data=data)
            assert created.status_code == 200, created.text
            rid = int(created.json()[0]["service_request_id"])
            read = client.get(f"/open311/v2/requests/{rid}.json")
            return rid, read.status_code, read.text

    results = [post_then_read(0)]  # the first one builds the analysis pipeline (loads jieba) alone
    with ThreadPoolExecutor(max_workers=8) as pool:
        results += pool.map(post_then_read, range(1, 200))
    misses = [(rid, status) for rid, status, _ in results if status != 200]
    assert misses == [] and len({rid for rid, _, _ in results}) == 200


def _start(url: str, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MASSLINE_DATABASE_URL": url, "MASSLINE_DATA_DIR": str(data_dir),
           "MASSLINE_SECRET_KEY": "test-secret", "MASSLINE_API_RATE_LIMIT": "0",
           "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "massline.web.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"], env=env, cwd=data_dir)
    deadline = time.monotonic() + 120  # importing the app takes 5–20 s on a loaded 2-core machine
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("uvicorn did not start")


def test_when_the_server_is_killed_after_answering_then_nothing_confirmed_is_lost(sqlite_url: str,
                                                                                 tmp_path: Path) -> None:
    key = _api_key(sqlite_url)
    port = _free_port()
    server = _start(sqlite_url, tmp_path, port)
    confirmed: dict[int, str] = {}
    try:
        def post(i: int) -> None:
            description = f"第{i}号：路灯不亮，晚上很危险"
            answer = httpx.post(f"http://127.0.0.1:{port}/open311/v2/requests.json", timeout=120,
                                data={**FORM, "api_key": key, "description": description})
            if answer.status_code == 200:
                confirmed[int(answer.json()[0]["service_request_id"])] = description

        # Two at a time: on SQLite a request holds the write lock through its analysis, so more
        # parallel posts only queue (and on a loaded machine may exceed the 30 s busy timeout).
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(post, range(POSTS)))
    finally:
        server.send_signal(signal.SIGKILL)  # the moment the answers are in: no shutdown, no flush
        server.wait(timeout=10)
    assert len(confirmed) == POSTS
    get_engine(sqlite_url).dispose()
    with session_scope(sqlite_url) as session:
        stored = {wo.id: wo.description for wo in session.query(WorkOrder)}
    assert {rid: stored.get(rid) for rid in confirmed} == confirmed
    highest = max(confirmed)
    with get_engine(sqlite_url).begin() as conn:  # the newest row is lost (deleted, restored backup …)
        conn.execute(text("DELETE FROM work_orders WHERE id = :id"), {"id": highest})
    port = _free_port()
    server = _start(sqlite_url, tmp_path, port)
    try:
        for rid in confirmed.keys() - {highest}:
            assert httpx.get(f"http://127.0.0.1:{port}/open311/v2/requests/{rid}.json").status_code == 200
        answer = httpx.post(f"http://127.0.0.1:{port}/open311/v2/requests.json", timeout=30,
                            data={**FORM, "api_key": key, "description": "新的诉求：噪音"})
        assert answer.status_code == 200
        assert int(answer.json()[0]["service_request_id"]) > highest  # never the lost row's number again
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
