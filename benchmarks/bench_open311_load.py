"""Open311 POST under a fixed arrival rate: 2 web processes, 2 workers, PostgreSQL, RabbitMQ, Redis.

The issue's acceptance: p99 < 50 ms at >= 200 requests/s sustained for 60 s, every accepted request
readable at once, all of them routed within 60 s after the load stops. What runs:

* a throw-away PostgreSQL database (``MASSLINE_TEST_DATABASE_URL`` is the admin connection) with the
  departments, the routing rules and an API key; the category model of ``bench_engine``;
* two ``uvicorn`` processes (1 worker each) on two loopback ports, the same ``MASSLINE_*`` settings
  (secret, broker, Redis counters, API rate limit raised so the load is not refused as abuse);
* two ``massline worker --concurrency 1 --idle`` processes on RabbitMQ (a queue of this run), in
  this process's session (SCHED_IDLE yields to the web processes of the same session group),
  routing what intake committed (``MASSLINE_BENCH_WORKER_IDLE=0`` runs them at normal policy, in
  sessions of their own, with ``--nice MASSLINE_BENCH_WORKER_NICE``);
* an **open-loop** load generator in this process (asyncio, raw HTTP/1.1 over keep-alive
  connections, round-robin over the two web processes): request i is due at t0 + i / rate whatever
  happened to the earlier ones, and its latency runs from that due time (a slow server cannot slow
  the arrivals down and hide its queueing — no coordinated omission); a new connection is opened
  whenever none is idle.

Phases, at the same rate and duration, in the same run: baseline ``GET /healthz``; then ``POST
/open311/v2/requests.json`` with real 附件2 texts (fj2_dev), each accepted request read back at
once with ``GET /open311/v2/requests/{id}.json`` from the *other* web process; then the seconds
until every accepted request is routed (its message has a current ``route`` result), polled in
the database. Settings: ``MASSLINE_BENCH_LOAD_RATE`` (default 200 req/s),
``MASSLINE_BENCH_LOAD_SECONDS`` (default 10; 60 for the acceptance run).

Run: ``.venv/bin/python benchmarks/run.py open311_load``.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import secrets
import signal
import subprocess
import tempfile
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import bench_engine
import bench_open311
from sqlalchemy import text

RATE = float(os.environ.get("MASSLINE_BENCH_LOAD_RATE", "200"))
#: further rates run in the same run (same servers, one phase each): the highest that holds p99 < 50 ms
RATES = sorted({RATE, *(float(r) for r in os.environ.get("MASSLINE_BENCH_LOAD_RATES", "").split(",") if r.strip())})
SECONDS = float(os.environ.get("MASSLINE_BENCH_LOAD_SECONDS", "10"))
#: ``massline worker --idle`` / ``--nice``: the workers yield the shared cores to the web processes
#: (routing may wait a minute after the load; answering may not; see massline.engine.priority)
WORKER_IDLE = os.environ.get("MASSLINE_BENCH_WORKER_IDLE", "1") != "0"
WORKER_NICE = int(os.environ.get("MASSLINE_BENCH_WORKER_NICE", "0" if WORKER_IDLE else "10"))
ROUTED_WITHIN = 300.0  # give up waiting for the routing after this many seconds
TIMEOUT = 30.0  # one request
DEV = bench_engine.TRAIN.parent / "fj2_dev.csv"
HOST = bench_open311.HOST


class Pool:
    """Keep-alive HTTP/1.1 connections to one server; a new one whenever none is idle."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: deque[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = deque()
        self.opened = 0

    async def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        """Send one request; a kept-alive connection the server closed meanwhile (uvicorn drops idle
        ones after 5 s) is replaced by a new one before anything counts as an error."""
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
        if body is not None:
            head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        raw = head.encode("ascii") + b"\r\n" + (body or b"")
        while self.idle:
            reader, writer = self.idle.popleft()
            try:
                writer.write(raw)
                if status_line := await reader.readline():
                    return await self._response(reader, writer, status_line)
            except ConnectionError:
                pass
            writer.close()
        reader, writer = await asyncio.open_connection(HOST, self.port)
        self.opened += 1
        writer.write(raw)
        return await self._response(reader, writer, await reader.readline())

    async def _response(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        status_line: bytes) -> tuple[int, bytes]:
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding") == "chunked":
            parts = []
            while size := int((await reader.readline()).strip(), 16):
                parts.append(await reader.readexactly(size))
                await reader.readline()
            await reader.readline()
            payload = b"".join(parts)
        else:
            payload = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            writer.close()
        else:
            self.idle.append((reader, writer))
        return status, payload

    def close(self) -> None:
        while self.idle:
            self.idle.popleft()[1].close()


@dataclass
class Phase:
    """What one open-loop phase measured."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    accepted: list[int] = field(default_factory=list)
    read_latencies: list[float] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    rate: float = RATE
    sent: int = 0
    send_seconds: float = 0.0
    last_done: float = 0.0

    def summary(self) -> dict[str, Any]:
        done = len(self.latencies)
        out: dict[str, Any] = {
            "sent": self.sent, "completed": done, "errors": len(self.errors),
            "offered_rate_per_s": self.rate, "sent_rate_per_s": round(self.sent / self.send_seconds, 1),
            "achieved_rate_per_s": round(done / self.last_done, 1) if self.last_done else 0.0,
            **_percentiles(self.latencies),
        }
        if self.errors:
            out["error_kinds"] = dict(Counter(e.split("(")[0].split()[0] for e in self.errors))
            out["first_error"] = self.errors[0][:300]
        return out


def _percentiles(values: list[float], prefix: str = "") -> dict[str, float]:
    if not values:
        return {}
    pct = bench_open311._percentile
    out = {f"{prefix}p{int(q * 100)}_ms": round(pct(values, q) * 1000, 1) for q in (0.50, 0.95, 0.99)}
    return {**out, f"{prefix}max_ms": round(max(values) * 1000, 1)}


async def _open_loop(pools: list[Pool], call: Any, phase: Phase, requests: int) -> None:
    """Start ``call(i, pools, due, phase)`` at t0 + i / rate for ``requests`` requests, then wait for all."""
    loop = asyncio.get_running_loop()
    t0 = loop.time() + 0.05
    tasks = []
    for i in range(requests):
        due = t0 + i / phase.rate
        if (delay := due - loop.time()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(call(i, pools, due, phase)))
        phase.sent += 1
    phase.send_seconds = loop.time() - t0
    await asyncio.gather(*tasks)
    phase.last_done -= t0


def _finish(phase: Phase, due: float, ok: bool, what: str) -> None:
    now = asyncio.get_running_loop().time()
    phase.last_done = max(phase.last_done, now)
    phase.latencies.append(now - due)
    if not ok:
        phase.errors.append(what)


async def _healthz(i: int, pools: list[Pool], due: float, phase: Phase) -> None:
    try:
        status, body = await asyncio.wait_for(pools[i % 2].request("GET", "/healthz"), TIMEOUT)
        _finish(phase, due, status == 200, f"{status} {body[:200]!r}")
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
        _finish(phase, due, False, repr(exc))


def _post_body(key: str, texts: list[tuple[str, str, str]], i: int) -> bytes:
    title, detail, label = texts[i % len(texts)]
    return urlencode({"api_key": key, "service_code": label, "lat": "28.19", "long": "112.97",
                      "attribute[title]": title[:200] or "留言", "description": f"{detail[:3900]}（负载{i}）"}).encode()


def _poster(key: str, texts: list[tuple[str, str, str]], offset: int = 0) -> Any:
    """POST request ``i`` (texts numbered from ``offset``, so phases never repeat a text), then read it back."""
    async def post(i: int, pools: list[Pool], due: float, phase: Phase) -> None:
        try:
            status, body = await asyncio.wait_for(
                pools[i % 2].request("POST", "/open311/v2/requests.json", _post_body(key, texts, offset + i)), TIMEOUT)
            accepted = status in (200, 201)
            _finish(phase, due, accepted, f"{status} {body[:200]!r}")
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            _finish(phase, due, False, repr(exc))
            return
        if not accepted:
            return
        request_id = int(json.loads(body)[0]["service_request_id"])
        phase.accepted.append(request_id)
        began = asyncio.get_running_loop().time()  # read back at once, from the other web process
        try:
            status, body = await asyncio.wait_for(
                pools[(i + 1) % 2].request("GET", f"/open311/v2/requests/{request_id}.json"), TIMEOUT)
            phase.read_latencies.append(asyncio.get_running_loop().time() - began)
            if status != 200 or int(json.loads(body)[0]["service_request_id"]) != request_id:
                phase.unreadable.append(f"{request_id}: {status} {body[:200]!r}")
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError, KeyError) as exc:
            phase.unreadable.append(f"{request_id}: {exc!r}")

    return post


def _run_phase(ports: list[int], call: Any, rate: float = RATE, seconds: float = SECONDS) -> tuple[Phase, float]:
    """One open-loop phase on fresh pools (``rate`` × ``seconds`` requests); the phase and the
    client's CPU seconds."""
    phase = Phase(rate=rate)
    pools = [Pool(port) for port in ports]
    cpu = time.process_time()

    async def go() -> None:
        try:
            await _open_loop(pools, call, phase, max(1, int(rate * seconds)))
        finally:
            for pool in pools:
                pool.close()

    asyncio.run(go())
    return phase, time.process_time() - cpu


def _ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def _processes() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command name) of every process."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    head, tail = f.read().rsplit(")", 1)
                out.append((int(entry), int(tail.split()[1]), head.split("(", 1)[1]))
            except (OSError, IndexError, ValueError):
                continue
    return out


def cpu_by_part(web: list[int], workers: list[int]) -> dict[str, float]:
    """CPU seconds used so far by each part of the stack on this machine: the web processes, the
    workers (with their pool children), PostgreSQL, RabbitMQ (``beam.smp``), Redis. Read before and
    after a phase, the difference says where a request's CPU goes — on a 2-core machine the sum is
    what bounds the rate."""
    procs = _processes()
    children: dict[int, list[int]] = {}
    for pid, ppid, _ in procs:
        children.setdefault(ppid, []).append(pid)

    def tree(roots: list[int]) -> list[int]:
        seen, todo = [], list(roots)
        while todo:
            pid = todo.pop()
            seen.append(pid)
            todo.extend(children.get(pid, []))
        return seen

    named = {part: [pid for pid, _, name in procs if name.startswith(prefix)]
             for part, prefix in (("postgresql", "postgres"), ("rabbitmq", "beam.smp"), ("redis", "redis-server"))}
    groups = {"web": tree(web), "workers": tree(workers), **named}
    hz = os.sysconf("SC_CLK_TCK")
    return {part: sum(_ticks(pid) for pid in pids) / hz for part, pids in groups.items()}


def _per_request(before: dict[str, float], after: dict[str, float], client_cpu: float,
                 requests: int) -> dict[str, float]:
    """CPU milliseconds per request of each part between two :func:`cpu_by_part` readings."""
    used = {part: after[part] - before[part] for part in before} | {"client": client_cpu}
    return {**{part: round(1000 * v / max(requests, 1), 2) for part, v in used.items()},
            "total": round(1000 * sum(used.values()) / max(requests, 1), 2)}


def _seconds_until_routed(url: str, ids: list[int]) -> tuple[float, int]:
    """Poll until every work order of ``ids`` has a message with a current ``route`` result."""
    from massline.db.session import session_scope

    began = time.perf_counter()
    while True:
        with session_scope(url) as session:
            routed = int(session.scalar(text(
                "SELECT count(*) FROM work_orders w WHERE w.id = ANY(:ids) AND EXISTS (SELECT 1 FROM "
                "analysis_results r WHERE r.message_id = w.message_id AND r.key = 'route' AND r.current)"),
                {"ids": ids}) or 0)
        elapsed = time.perf_counter() - began
        if routed == len(ids) or elapsed > ROUTED_WITHIN:
            return elapsed, routed
        time.sleep(0.25)


def _texts() -> list[tuple[str, str, str]]:
    with DEV.open(encoding="utf-8", newline="") as handle:
        return [(row["留言主题"], row["留言详情"], row["一级标签"]) for row in csv.DictReader(handle)]


def run() -> dict[str, Any]:
    if not bench_engine.broker_up():
        return {"metrics": {"skipped": "no RabbitMQ on 127.0.0.1:5672"}, "baseline": {}, "ratio": None}
    from massline.analyze.classify.model import save_model
    from massline.analyze.routing.table import ensure_rules
    from massline.core.config import Settings
    from massline.db.session import session_scope

    admin_url = os.environ.get("MASSLINE_TEST_DATABASE_URL", bench_open311.DEFAULT_PG)
    url, key = bench_open311._prepare_database(admin_url)
    queue = f"massline-load-{uuid.uuid4().hex[:8]}"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(database_url=url, data_dir=Path(tmp), secret_key=secrets.token_hex(16),
                                broker_url=bench_engine.BROKER, broker_queue=queue)
            save_model(bench_engine.bench_model(), settings.models_dir())
            with session_scope(url) as session:
                ensure_rules(session)
            env = {"MASSLINE_SECRET_KEY": str(settings.secret_key), "MASSLINE_BROKER_URL": bench_engine.BROKER,
                   "MASSLINE_BROKER_QUEUE": queue, "MASSLINE_API_RATE_LIMIT": "100000000",
                   "MASSLINE_REDIS_URL": os.environ.get("MASSLINE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")}
            ports = [bench_open311._free_port() for _ in range(2)]
            web = [bench_open311._spawn_server(url, port, Path(tmp), env, Path(tmp) / f"web-{port}.log")
                   for port in ports]
            procs = web + [bench_engine.start_worker(settings, WORKER_NICE, idle=WORKER_IDLE) for _ in range(2)]
            for proc, port in zip(web, ports, strict=True):  # they start side by side (slow on a busy machine)
                bench_open311._wait_ready(proc, port, 180)
            texts = _texts()
            for port in ports:  # the first POST of a process builds its analysis pipeline
                warm, _ = _run_phase([port, port], _poster(key, texts, 10_000_000 + port), rate=10, seconds=0.3)
                if warm.errors or warm.unreadable:
                    raise RuntimeError(f"warm-up failed: {(warm.errors + warm.unreadable)[0]}")
            baseline, baseline_cpu = _run_phase(ports, _healthz)
            phases: list[dict[str, Any]] = []
            for rate in RATES:  # each rate, then the seconds until all its accepted requests are routed
                before = cpu_by_part([p.pid for p in web], [p.pid for p in procs[2:]])
                posted, post_cpu = _run_phase(ports, _poster(key, texts, 1_000_000 * len(phases)), rate)
                during = cpu_by_part([p.pid for p in web], [p.pid for p in procs[2:]])
                routed_after, routed = _seconds_until_routed(url, posted.accepted)
                after = cpu_by_part([p.pid for p in web], [p.pid for p in procs[2:]])
                phases.append(_post_summary(posted, post_cpu, routed_after, routed,
                                            _per_request(before, during, post_cpu, posted.sent),
                                            _per_request(during, after, 0.0, len(posted.accepted))))
    finally:
        for proc in procs:
            if proc.poll() is None and _own_group(proc):
                os.killpg(proc.pid, signal.SIGTERM)
            elif proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        bench_open311._drop_database(admin_url, url)
    post_summary = next(p for p in phases if p["offered_rate_per_s"] == RATE)
    base_summary = {**baseline.summary(), "client_cpu_s": round(baseline_cpu, 1)}
    ratio = {"post_vs_healthz_p99": round(post_summary["p99_ms"] / base_summary["p99_ms"], 2),
             "post_vs_healthz_achieved_rate": round(post_summary["achieved_rate_per_s"]
                                                    / base_summary["achieved_rate_per_s"], 3)}
    held = [p["offered_rate_per_s"] for p in phases if p["errors"] == 0 and p.get("p99_ms", 1e9) < 50]
    return {
        "name": "bench_open311_load",
        "metrics": {"baseline_healthz": base_summary, "post_requests": post_summary, "ratio": ratio,
                    "by_rate": phases, "highest_rate_held_p99_under_50ms": max(held, default=None),
                    "load_average": [round(x, 2) for x in os.getloadavg()]},
        "baseline": {"healthz": base_summary},
        "ratio": ratio,
        "setup": {"rate_per_s": RATE, "rates": RATES, "seconds": SECONDS,
                  "web": "2 uvicorn processes (1 worker each), round-robin",
                  "workers": f"2 massline workers (--concurrency 1 --nice {WORKER_NICE}"
                             f"{' --idle' if WORKER_IDLE else ''})",
                  "database": "PostgreSQL (throw-away)",
                  "broker": "RabbitMQ", "redis": env["MASSLINE_REDIS_URL"], "texts": "fj2_dev.csv"},
    }


def _post_summary(posted: Phase, client_cpu: float, routed_after: float, routed: int,
                  cpu_ms_per_request: dict[str, float], routing_cpu_ms: dict[str, float]) -> dict[str, Any]:
    out = {**posted.summary(), "accepted": len(posted.accepted), "unreadable": len(posted.unreadable),
           **_percentiles(posted.read_latencies, "read_back_"),
           "routed": routed, "seconds_until_all_routed": round(routed_after, 2), "client_cpu_s": round(client_cpu, 1),
           "cpu_ms_per_request_during_load": cpu_ms_per_request, "cpu_ms_per_accepted_routing_after": routing_cpu_ms}
    if posted.unreadable:
        out["first_unreadable"] = posted.unreadable[0]
    return out


def _own_group(proc: subprocess.Popen[bytes]) -> bool:
    """Workers run in a process group of their own (their pool child goes with them); the web servers do not."""
    try:
        return os.getpgid(proc.pid) == proc.pid
    except ProcessLookupError:
        return False


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False, indent=2))
