"""Load shedding: past ``MASSLINE_WEB_MAX_INFLIGHT`` requests in flight, a web process answers 503 at once.

Why: measured here, Open311 POSTs offered at ten times what two cores can store queued up inside the
server until every answer came after the client's timeout — the server then worked only on requests
nobody waited for any more, and useful throughput fell to almost nothing. A bounded number in flight
keeps the waiting time bounded (the limit ÷ the service rate); the excess is told "503, try again in
a few seconds" (``Retry-After``) straight away, before anything is read or stored, so a shed request
left no trace and can simply be sent again. Health probes are never shed: a busy process is alive.

Reading back one request (Open311 ``GET requests/{id}``, the tracking page) has a reserve above the
limit (:data:`READ_ONE_RESERVE` times it): a client whose POST was just accepted must be able to read
it at once, and such a read costs a few milliseconds — shedding it with the writes, as before, turned
an overload into accepted requests their clients could not see.

A plain ASGI middleware (no ``BaseHTTPMiddleware``): it must cost nothing per request. The counter
lives on the event loop's thread, so it needs no lock.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from massline.web.api.open311_format import error_response
from massline.web.unavailable import service_unavailable

MESSAGE = "the server is busy; nothing was stored, please try again in a few seconds"
RETRY_AFTER = "2"
EXEMPT = ("/healthz", "/readyz")
#: GETs of one request: shed only past ``limit × (1 + READ_ONE_RESERVE)`` in flight
READ_ONE = re.compile(r"^/(open311/v2/requests/[^/]+\.(json|xml)|track/[^/]+)$")
READ_ONE_RESERVE = 0.5
HTML = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>服务繁忙</title></head>'
        '<body><h1>服务繁忙 (503)</h1><p>当前访问量过大，您的提交没有保存，请稍后再试。</p>'
        '<p lang="en">The server is busy: nothing was stored, please try again in a few seconds.</p>'
        '</body></html>')


def busy_response(scope: Scope) -> Response:
    """The 503 in the caller's language: Open311's error list, a page, or a JSON ``detail``."""
    path = scope["path"]
    if path.startswith("/open311/"):
        response = error_response(Request(scope), [(503, MESSAGE)])
        response.headers["Retry-After"] = RETRY_AFTER
        return response
    return service_unavailable(path, MESSAGE, HTML, RETRY_AFTER)


class LoadShedding:
    """At most ``limit`` requests in this process at once; the next one gets :func:`busy_response`."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.read_one_limit = limit + max(1, round(limit * READ_ONE_RESERVE))
        self.inflight = 0
        self.shed = 0

    def _limit(self, scope: Scope) -> int:
        if scope["method"] in ("GET", "HEAD") and READ_ONE.match(scope["path"]):
            return self.read_one_limit
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0 or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        if self.inflight >= self._limit(scope):
            self.shed += 1
            await busy_response(scope)(scope, receive, send)
            return
        self.inflight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.inflight -= 1


def install(app: Any, limit: int) -> None:
    """Add the limit as the outermost middleware (a shed request costs no other middleware)."""
    if limit > 0:
        app.add_middleware(LoadShedding, limit=limit)
