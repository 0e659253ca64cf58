"""The floor of Open311 intake on this machine: what a framework-free web path would hold (issue #16).

Not part of ``make bench`` (minutes of load) nor of the suite. Why it exists: the acceptance rate
(200 POSTs/s at p99 < 50 ms, every one read back at once) is measured with the real stack in
``bench_open311_load``; this asks how much of the machine is left for the web tier's own work.
A stand-in web process — raw ASGI under uvicorn, no framework, no ORM — stores each POST in one
PostgreSQL transaction (raw item, message and case rows in one statement) and answers its id; a GET
reads it back. The same open-loop generator as ``bench_open311_load`` drives two such processes.

Knobs (environment):

* ``MASSLINE_FLOOR_WORK_MS`` — extra CPU milliseconds per POST (a busy loop): how much work per
  request the machine tolerates before the queue runs away;
* ``MASSLINE_FLOOR_BACKGROUND`` — ``none``; ``idle`` (two always-busy processes under ``SCHED_IDLE``
  in this session, as ``massline worker --idle`` beside the web processes); ``nice`` (two at
  ``nice 19`` in sessions of their own, as a niced worker started elsewhere);
* ``MASSLINE_FLOOR_RATE`` (200), ``MASSLINE_FLOOR_SECONDS`` (30).

Prints one JSON line. Run: ``.venv/bin/python benchmarks/intake_floor.py``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import bench_open311
import bench_open311_load as load
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

WORK_MS = float(os.environ.get("MASSLINE_FLOOR_WORK_MS", "0"))
BACKGROUND = os.environ.get("MASSLINE_FLOOR_BACKGROUND", "idle")
RATE = float(os.environ.get("MASSLINE_FLOOR_RATE", "200"))
SECONDS = float(os.environ.get("MASSLINE_FLOOR_SECONDS", "30"))

SCHEMA = [
    "CREATE TABLE raw (id serial PRIMARY KEY, content bytea NOT NULL, received_at timestamptz DEFAULT now())",
    "CREATE TABLE msg (id serial PRIMARY KEY, raw_id int NOT NULL REFERENCES raw, body text NOT NULL)",
    "CREATE TABLE wo (id serial PRIMARY KEY, message_id int NOT NULL REFERENCES msg, token text UNIQUE, "
    "status text NOT NULL)",
]
#: the stand-in web process (``app`` of a module uvicorn imports from a temporary directory)
APP = '''
import json, os, time
from urllib.parse import parse_qsl
import psycopg

WORK = float(os.environ["FLOOR_WORK_MS"]) / 1000
conn = psycopg.connect(os.environ["FLOOR_DSN"])
STORE = """WITH r AS (INSERT INTO raw (content) VALUES (%s) RETURNING id),
m AS (INSERT INTO msg (raw_id, body) SELECT id, %s FROM r RETURNING id)
INSERT INTO wo (message_id, token, status) SELECT id, %s, 'open' FROM m RETURNING id"""
READ = "SELECT w.id, w.status FROM wo w JOIN msg m ON m.id = w.message_id WHERE w.id = %s"


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["method"] == "POST":
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        fields = dict(parse_qsl(body.decode()))
        until = time.thread_time() + WORK
        while time.thread_time() < until:
            pass
        with conn.transaction():
            row = conn.execute(STORE, (body, fields.get("description", ""), os.urandom(8).hex())).fetchone()
    elif scope["path"] == "/healthz":
        row = (0,)
    else:
        with conn.transaction():
            row = conn.execute(READ, (int(scope["path"].rsplit("/", 1)[1].split(".")[0]),)).fetchone()
    answer = json.dumps([{"service_request_id": row[0], "status": "open"}]).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": answer})
'''
BUSY = {
    "idle": "import os\nos.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))\nwhile True: pass",
    "nice": "import os\nos.setsid()\nos.nice(19)\nwhile True: pass",
}


def _database(admin_url: str) -> str:
    """A throw-away database with the stand-in's tables; its SQLAlchemy URL."""
    name = f"massline_floor_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(admin_url).set(database=name)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        for statement in SCHEMA:
            conn.execute(text(statement))
    engine.dispose()
    return url.render_as_string(hide_password=False)


def run() -> dict[str, Any]:
    admin_url = os.environ.get("MASSLINE_TEST_DATABASE_URL", bench_open311.DEFAULT_PG)
    url = _database(admin_url)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)  # libpq's form
    home = Path(tempfile.mkdtemp(prefix="massline-floor-"))
    (home / "floor_app.py").write_text(APP, encoding="utf-8")
    env = {**os.environ, "FLOOR_DSN": dsn, "FLOOR_WORK_MS": str(WORK_MS), "PYTHONPATH": str(home)}
    ports = [bench_open311._free_port() for _ in range(2)]
    web = [subprocess.Popen([sys.executable, "-m", "uvicorn", "floor_app:app", "--host", bench_open311.HOST,
                             "--port", str(port), "--log-level", "warning", "--no-access-log"], env=env)
           for port in ports]
    background = [subprocess.Popen([sys.executable, "-c", BUSY[BACKGROUND]]) for _ in range(2)] \
        if BACKGROUND in BUSY else []
    procs = web + background
    try:
        for proc, port in zip(web, ports, strict=True):
            bench_open311._wait_ready(proc, port, 60)
        posted, client_cpu = load._run_phase(ports, load._poster("-", load._texts()), RATE, SECONDS)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
        bench_open311._drop_database(admin_url, url)
        shutil.rmtree(home, ignore_errors=True)
    return {"name": "intake_floor", "work_ms_per_post": WORK_MS, "background": BACKGROUND,
            **posted.summary(), "accepted": len(posted.accepted), "unreadable": len(posted.unreadable),
            **load._percentiles(posted.read_latencies, "read_back_"), "client_cpu_s": round(client_cpu, 1),
            "load_average": [round(x, 2) for x in os.getloadavg()], "at": time.strftime("%Y-%m-%d %H:%M UTC",
                                                                                         time.gmtime())}


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False))
