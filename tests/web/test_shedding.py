"""Load shedding on real requests: past the limit, 503 with Retry-After at once, in each caller's format."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from massline.core.config import Settings
from massline.web.app import create_app
from massline.web.shedding import LoadShedding


def _in_own_loop(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run ``scenario`` on a fresh event loop in its own thread: the browser tests' Playwright (sync API)
    keeps a loop running on the main thread for the whole session, where no second loop may run."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(scenario())
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the scenario did not finish within 60 s"
    if failure:
        raise failure[0]


def _blocking_app(release: asyncio.Event) -> Starlette:
    async def slow(request: Request) -> PlainTextResponse:
        await release.wait()
        return PlainTextResponse("done")

    paths = ["/open311/v2/requests.json", "/open311/v2/requests.xml", "/api/x", "/staff/x", "/healthz",
             "/open311/v2/requests/7.json", "/track/abc"]
    return Starlette(routes=[Route(p, slow, methods=["GET", "POST"]) for p in paths])


def test_past_the_limit_requests_are_shed_in_their_format_and_health_never() -> None:
    _in_own_loop(_shedding_scenario)


async def _shedding_scenario() -> None:
    release = asyncio.Event()
    shedder = LoadShedding(_blocking_app(release), limit=2)
    transport = httpx.ASGITransport(app=shedder)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        held = [asyncio.create_task(client.post("/open311/v2/requests.json")) for _ in range(2)]
        while shedder.inflight < 2:
            await asyncio.sleep(0.01)
        shed_json = await client.post("/open311/v2/requests.json")
        shed_xml = await client.get("/open311/v2/requests.xml")
        shed_api = await client.get("/api/x")
        shed_page = await client.get("/staff/x")
        health = asyncio.create_task(client.get("/healthz"))  # a busy process is still alive
        await asyncio.sleep(0.05)
        release.set()
        answers = await asyncio.gather(*held, health)
    assert [r.status_code for r in answers] == [200, 200, 200]
    for response in (shed_json, shed_xml, shed_api, shed_page):
        assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert shed_json.json() == [{"code": 503, "description": shed_json.json()[0]["description"]}]
    assert "busy" in shed_json.json()[0]["description"]
    assert shed_xml.text.startswith("<?xml") and "<code>503</code>" in shed_xml.text
    assert "busy" in shed_api.json()["detail"] and "服务繁忙" in shed_page.text
    assert shedder.shed == 4 and shedder.inflight == 0


def test_the_app_sheds_at_the_configured_limit_and_zero_switches_it_off(tmp_path: Path) -> None:
    def shedders(limit: int) -> list[int]:
        app = create_app(Settings(data_dir=tmp_path, web_max_inflight=limit))
        return [m.kwargs["limit"] for m in app.user_middleware if m.cls is LoadShedding]

    assert shedders(7) == [7] and shedders(0) == []
    assert Settings(data_dir=tmp_path).web_max_inflight == 48


def test_reading_back_one_request_has_a_reserve_above_the_limit() -> None:
    _in_own_loop(_read_back_scenario)


async def _read_back_scenario() -> None:
    release = asyncio.Event()
    shedder = LoadShedding(_blocking_app(release), limit=2)  # reserve: one more read of one request
    transport = httpx.ASGITransport(app=shedder)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        held = [asyncio.create_task(client.post("/open311/v2/requests.json")) for _ in range(2)]
        while shedder.inflight < 2:
            await asyncio.sleep(0.01)
        assert (await client.post("/open311/v2/requests.json")).status_code == 503  # writes: at the limit
        read = asyncio.create_task(client.get("/open311/v2/requests/7.json"))  # a read-back: in the reserve
        while shedder.inflight < 3:
            await asyncio.sleep(0.01)
        assert (await client.get("/track/abc")).status_code == 503  # the reserve is full too
        assert (await client.post("/open311/v2/requests/7.json")).status_code == 503  # only reads
        release.set()
        answers = await asyncio.gather(*held, read)
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert shedder.shed == 3 and shedder.inflight == 0
