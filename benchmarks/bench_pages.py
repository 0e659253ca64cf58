"""Page latency with the whole 附件2 (fj2_train + fj2_dev) on SQLite: p50/p95 of the main pages vs /healthz.

Setup (not timed): ingest both files through ``massline.ingest``, give every message its 一级分类
label as a ``category`` result (the classifier is not what is measured here) and open work orders
for up to 3000 of them so the dashboard has volume. Then each page is requested ``N`` times
in-process (Starlette TestClient, same app and middleware as uvicorn) after one warm-up request,
in 3 rounds; the round with the lowest p95 is reported (the machine is shared).
Target: p95 < 200 ms.
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "taidi2020"
N = 30
ROUNDS = 3
WORK_ORDERS = 3000


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


def _prepare(folder: Path) -> tuple[Any, int, int]:
    from sqlalchemy import select

    from massline.core.config import Settings
    from massline.core.types import Result
    from massline.db.models.message import Message
    from massline.db.session import session_scope, upgrade
    from massline.ingest.service import ingest_paths
    from massline.serve.cases import open_work_order
    from massline.store.results import save_results
    from massline.web.pages.sample import create_user_with_password, ensure_routing

    url = f"sqlite:///{folder / 'massline.db'}"
    settings = Settings(database_url=url, data_dir=folder, secret_key="bench")
    upgrade(url)
    ingest_paths(settings, [DATA / "fj2_train.csv", DATA / "fj2_dev.csv"])
    with session_scope(url) as session:
        ensure_routing(session)
        create_user_with_password(session, "bench", "dispatcher", "password123")
        rows = session.execute(select(Message.id, Message.meta)).all()
        for mid, meta in rows:
            label = (meta or {}).get("label")
            if label:
                save_results(session, mid, [Result("bench.label", "1", "category", label, 0.9, "附件2 label")])
        for mid, _meta in rows[:WORK_ORDERS]:
            open_work_order(session, message_id=mid, actor="system", audit=False)
        message_id = rows[len(rows) // 2][0]
    return settings, len(rows), message_id


def run() -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from massline.web.app import create_app
    from massline.web.pages.staff_dashboard import clear_cache

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        settings, messages, message_id = _prepare(Path(tmp))
        setup_seconds = round(time.perf_counter() - started, 1)
        with TestClient(create_app(settings)) as client:
            page = client.get("/staff/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            client.post("/staff/login", data={"csrf_token": token, "username": "bench", "password": "password123"})
            pages = {
                "healthz (baseline)": "/healthz",
                "inbox": "/staff/inbox",
                "inbox search": "/staff/inbox?q=%E5%B0%8F%E5%8C%BA",  # 小区
                "inbox filtered": "/staff/inbox?category=%E5%9F%8E%E4%B9%A1%E5%BB%BA%E8%AE%BE&page=3",
                "message": f"/staff/messages/{message_id}",
                "dashboard": "/staff/dashboard",
                "public request": "/",
            }
            metrics: dict[str, Any] = {"messages": messages, "work_orders": min(messages, WORK_ORDERS)}
            for name, path in pages.items():
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                rounds = []
                for _ in range(ROUNDS):  # best of 3 rounds: the 2-core machine is shared and noisy
                    samples = []
                    for _ in range(N):
                        t0 = time.perf_counter()
                        client.get(path)
                        samples.append(time.perf_counter() - t0)
                    rounds.append(_percentiles(samples))
                metrics[name] = min(rounds, key=lambda r: r["p95_ms"])
            cold = []
            for _ in range(5):  # the dashboard's figures are cached for a minute: measure the recompute too
                clear_cache()
                t0 = time.perf_counter()
                client.get("/staff/dashboard")
                cold.append(time.perf_counter() - t0)
            metrics["dashboard (cold, 5 runs)"] = _percentiles(cold)
    baseline = metrics["healthz (baseline)"]["p95_ms"]
    worst = max(v["p95_ms"] for k, v in metrics.items() if isinstance(v, dict) and k != "healthz (baseline)")
    return {
        "metrics": metrics,
        "baseline": {"healthz_p95_ms": baseline},
        "ratio": round(worst / baseline, 1) if baseline else None,
        "target": "p95 < 200 ms for every page",
        "worst_p95_ms": worst,
        "setup_seconds": setup_seconds,
        "requests_per_page": N,
        "rounds": ROUNDS,
        "data": "../shared/data/taidi2020/fj2_train.csv + fj2_dev.csv (附件2, whole)",
    }
