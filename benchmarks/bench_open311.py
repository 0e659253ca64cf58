"""Open311 over real HTTP: POST requests and GET requests against a uvicorn process on PostgreSQL.

What runs: a throw-away PostgreSQL database (``MASSLINE_TEST_DATABASE_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test`` as the admin connection) is created and
migrated; one ``uvicorn`` process (1 worker) serves ``create_app`` on 127.0.0.1 at a free port;
4 threads, each with its own keep-alive ``httpx.Client``, send a bounded number of requests
(stopping early after :data:`MAX_SECONDS`). Measured, in this order, in the same run:

* baseline ``GET /healthz`` (the framework and network floor on this machine),
* ``POST /open311/v2/requests.json`` (raw record → message → analysis → work order),
* ``GET /open311/v2/requests/{id}.json`` (one request),
* ``GET /open311/v2/requests.json`` (the default list: last 90 days, every request posted above).

Reported: requests/s, p50 and p99 latency in ms, and each rate as a ratio of the baseline.
Only loopback addresses are used; the database is dropped and the server stopped at the end.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

CLIENTS = 4
COUNTS = {"healthz": 400, "post": 300, "get_one": 300, "get_list": 60}
MAX_SECONDS = 60.0
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _load(base: str, count: int, send: Callable[[httpx.Client, int], httpx.Response]) -> dict[str, Any]:
    """``count`` calls of ``send`` spread over :data:`CLIENTS` threads; latency of each, bounded in time."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    next_index = iter(range(count))
    deadline = time.perf_counter() + MAX_SECONDS

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=30.0) as client:
            while time.perf_counter() < deadline:
                with lock:
                    i = next(next_index, None)
                if i is None:
                    return
                started = time.perf_counter()
                response = send(client, i)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if response.status_code != 200:
                        errors.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, first: {errors[0]}")
    return {
        "requests": len(latencies),
        "rate_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
    }


def _prepare_database(admin_url: str) -> tuple[str, str]:
    """A migrated throw-away database with departments and an API key: (url, plaintext key)."""
    from massline.db.session import session_scope, upgrade
    from massline.serve.accounts import create_api_key
    from massline.serve.departments import seed_departments

    name = f"massline_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    with session_scope(url) as session:
        seed_departments(session)
        _, key = create_api_key(session, "benchmark")
    return url, key


def _drop_database(admin_url: str, url: str) -> None:
    from massline.db.session import get_engine

    get_engine(url).dispose()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _spawn_server(url: str, port: int, data_dir: Path, env: dict[str, str] | None = None,
                  log: Path | None = None) -> subprocess.Popen[bytes]:
    """One uvicorn process (1 worker) on ``port``, not waited for; ``env`` adds or overrides
    ``MASSLINE_*`` settings; its stderr goes to ``log`` when given (a long run must not fill a pipe)."""
    env = {**os.environ, "MASSLINE_DATABASE_URL": url, "MASSLINE_DATA_DIR": str(data_dir),
           "MASSLINE_SECRET_KEY": secrets.token_hex(16), **(env or {})}
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "massline.web.app:create_app", "--host", HOST,
           "--port", str(port), "--workers", "1", "--log-level", "warning", "--no-access-log"]
    stderr = log.open("wb") if log is not None else subprocess.PIPE
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=stderr)


def _wait_ready(proc: subprocess.Popen[bytes], port: int, seconds: float = 60) -> None:
    """Until ``/healthz`` answers 200 (the process is stopped and an error raised after ``seconds``)."""
    base = f"http://{HOST}:{port}"
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited: {(proc.stderr.read() if proc.stderr else b'').decode()[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"uvicorn did not answer /healthz within {seconds:.0f} s")


def _start_server(url: str, port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    proc = _spawn_server(url, port, data_dir)
    _wait_ready(proc, port)
    return proc


def _stop_server(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def run() -> dict[str, Any]:
    admin_url = os.environ.get("MASSLINE_TEST_DATABASE_URL", DEFAULT_PG)
    url, key = _prepare_database(admin_url)
    port = _free_port()
    base = f"http://{HOST}:{port}"
    proc: subprocess.Popen[bytes] | None = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            proc = _start_server(url, port, Path(tmp))
            form = {"api_key": key, "service_code": "huanjing-baohu", "lat": "28.19", "long": "112.97",
                    "attribute[title]": "夜间施工噪音"}

            def post(client: httpx.Client, i: int) -> httpx.Response:
                data = {**form, "description": f"第{i}号：小区旁边工地夜间施工噪音扰民，联系电话13812345678"}
                return client.post("/open311/v2/requests.json", data=data)

            with httpx.Client(base_url=base, timeout=60.0) as warm:  # first POST builds the analysis pipeline
                for i in range(3):
                    post(warm, -i).raise_for_status()
                    warm.get("/open311/v2/requests.json").raise_for_status()
            baseline = _load(base, COUNTS["healthz"], lambda c, i: c.get("/healthz"))
            posted = _load(base, COUNTS["post"], post)
            one = _load(base, COUNTS["get_one"], lambda c, i: c.get(f"/open311/v2/requests/{i % 200 + 1}.json"))
            listed = _load(base, COUNTS["get_list"], lambda c, i: c.get("/open311/v2/requests.json"))
            with httpx.Client(base_url=base) as client:
                list_size = len(client.get("/open311/v2/requests.json").json())
    finally:
        _stop_server(proc)
        _drop_database(admin_url, url)
    ratio = {
        "post_vs_healthz_rate": round(posted["rate_per_s"] / baseline["rate_per_s"], 3),
        "get_one_vs_healthz_rate": round(one["rate_per_s"] / baseline["rate_per_s"], 3),
        "get_list_vs_healthz_rate": round(listed["rate_per_s"] / baseline["rate_per_s"], 3),
    }
    return {
        "name": "bench_open311",
        "metrics": {
            "baseline_healthz": baseline,
            "post_requests": posted,
            "get_request": one,
            "get_requests_list": {**listed, "rows_per_response": list_size},
            "ratio": ratio,
        },
        "baseline": {"healthz": baseline},
        "ratio": ratio,
        "setup": {"server": "uvicorn, 1 worker, 127.0.0.1", "database": "PostgreSQL (throw-away)",
                  "clients": CLIENTS, "counts": COUNTS, "max_seconds_per_phase": MAX_SECONDS},
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), ensure_ascii=False, indent=2))
