"""Open311 ``GET requests`` (the public list) on 100,000 requests in PostgreSQL, over real HTTP.

Why a benchmark of its own: the list is what dashboards and journalists poll, and its cost must not
grow with the archive. A throw-away PostgreSQL database gets ``MASSLINE_BENCH_LIST_N`` work orders
(default 100,000) over the last 120 days, texts of 附件2 with their public text masked as the
platform does when a case is opened, 40 % published (requests are private by default). One uvicorn
process serves the app; :func:`bench_open311._load` sends the requests. Measured in the same run:

* baseline ``GET /healthz``;
* the default list (newest 50 of the last 90 days), ``status=open``, ``page=20`` (offset paging),
  and ``after=<id>`` (keyset paging, our extension) 20,000 rows deep — with 4 clients, then the
  default list, the deep page and ``/healthz`` again with one client (a request's own latency: with
  4 clients on one process, each waits for the others).

Reported: p50/p99 latency and rate of each, as ratios of the baseline.
Run: ``.venv/bin/python benchmarks/run.py open311_list``.
"""

from __future__ import annotations

import csv
import os
import random
import secrets
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import bench_open311
import httpx
from bench_open311 import (
    DEFAULT_PG,
    HOST,
    _drop_database,
    _free_port,
    _load,
    _prepare_database,
    _start_server,
    _stop_server,
)
from sqlalchemy import insert, text

FJ2 = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "taidi2020" / "fj2_train.csv"
PUBLISHED_SHARE = 0.4
COUNT = 200


def _seed(url: str, n: int) -> None:
    """``n`` work orders in batches of 5,000 (core inserts: seeding is not what is measured)."""
    from massline.db.base import utcnow
    from massline.db.models.workorders import WorkOrder
    from massline.db.session import get_engine
    from massline.privacy import mask_text

    with FJ2.open(encoding="utf-8") as handle:
        texts = [row["留言详情"] for row in csv.DictReader(handle)][:3000]
    masked = [mask_text(t, "public") for t in texts]
    rnd, now = random.Random(7), utcnow()
    engine = get_engine(url)
    with engine.begin() as conn:
        departments = [row[0] for row in conn.execute(text("SELECT id FROM departments"))]
        batch: list[dict[str, Any]] = []
        for i in range(n):
            created = now - timedelta(seconds=rnd.randrange(0, 120 * 86400))
            batch.append({
                "token": secrets.token_hex(16), "source": "open311", "category": "城乡建设",
                "service_code": "chengxiang-jianshe", "title": None, "description": texts[i % len(texts)],
                "public_description": masked[i % len(texts)], "status": rnd.choice(["new", "assigned", "closed"]),
                "priority": "normal", "lead_department_id": rnd.choice(departments), "attributes": {},
                "created_at": created, "updated_at": created, "reopen_count": 0, "escalation_level": 0,
                "public": rnd.random() < PUBLISHED_SHARE, "published_by": "requester",
            })
            if len(batch) == 5000:
                conn.execute(insert(WorkOrder), batch)
                batch = []
        if batch:
            conn.execute(insert(WorkOrder), batch)
        conn.execute(text("ANALYZE work_orders"))


def run() -> dict[str, Any]:
    n = int(os.environ.get("MASSLINE_BENCH_LIST_N", "100000"))
    admin_url = os.environ.get("MASSLINE_TEST_DATABASE_URL", DEFAULT_PG)
    url, _ = _prepare_database(admin_url)
    port = _free_port()
    base = f"http://{HOST}:{port}"
    proc: subprocess.Popen[bytes] | None = None
    try:
        _seed(url, n)
        with tempfile.TemporaryDirectory() as tmp:
            proc = _start_server(url, port, Path(tmp))
            with httpx.Client(base_url=base, timeout=60.0) as client:
                deep = client.get("/open311/v2/requests.json?page_size=200&page=100").json()[-1]
                after = deep["service_request_id"]  # 20,000 published rows deep
                for _ in range(5):
                    client.get("/open311/v2/requests.json").raise_for_status()
            phases = {
                "healthz": "/healthz",
                "list_default": "/open311/v2/requests.json",
                "list_status_open": "/open311/v2/requests.json?status=open",
                "list_page_20": "/open311/v2/requests.json?page=20",
                "list_after_20000_deep": f"/open311/v2/requests.json?after={after}",
            }
            results = {name: _load(base, COUNT, lambda c, i, path=path: c.get(path))  # type: ignore[misc]
                       for name, path in phases.items()}
            # one client: the latency of a request alone (with 4 clients on 1 process, p50 is ~4 × that)
            bench_open311.CLIENTS, clients = 1, bench_open311.CLIENTS
            try:
                for name in ("healthz", "list_default", "list_after_20000_deep"):
                    results[f"{name}_one_client"] = _load(base, COUNT, lambda c, i, path=phases[name]: c.get(path))  # type: ignore[misc]
            finally:
                bench_open311.CLIENTS = clients
    finally:
        _stop_server(proc)
        _drop_database(admin_url, url)
    baseline, alone = results.pop("healthz"), results.pop("healthz_one_client")
    ratio = {name: round(r["p50_ms"] / (alone if name.endswith("_one_client") else baseline)["p50_ms"], 2)
             for name, r in results.items()}
    return {
        "name": "bench_open311_list",
        "metrics": {**results, "requests_in_database": n, "published_share": PUBLISHED_SHARE,
                    "load_average_1min": round(os.getloadavg()[0], 1)},
        "baseline": {"healthz": baseline, "healthz_one_client": alone},
        "ratio": ratio,
        "setup": {"server": "uvicorn, 1 worker, 127.0.0.1", "database": "PostgreSQL (throw-away)",
                  "requests_per_phase": COUNT},
        "data": "../shared/data/taidi2020/fj2_train.csv texts (附件2), cycled",
    }
