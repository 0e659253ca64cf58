"""A database that refuses connections (or a pool that has none to give) answers ``503``, never ``500``.

Why its own answer: a client told "503, try again" retries later; a client told "500" files a bug,
and one left hanging holds a worker. The transaction of a failed request was never committed
(``massline.web.deps.get_db`` commits only when the endpoint returns), so nothing of it is stored
— except when the connection is lost *during* ``COMMIT`` itself, which no client of any database
can tell from a refusal: that request is then stored whole (raw item, message, case, routing
task), never half.

The answer needs nothing but this module: no template, no session, no user lookup (all of which
would need the database that just failed). Open311 paths answer in the spec's error format from
:class:`massline.web.api.open311_format.Open311Route`; pages get a short bilingual HTML page,
everything else a JSON ``detail``.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from massline.web.guards import PAGE_PATHS

log = logging.getLogger(__name__)
#: What a lost, refused or exhausted database connection raises through SQLAlchemy (psycopg and
#: sqlite3 report refused connections, dropped connections and "database is locked" as
#: OperationalError; a full pool as TimeoutError).
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeout)
#: Everything the handlers catch; :func:`is_unavailable` then tells an outage from a failing query.
CAUGHT: tuple[type[Exception], ...] = (DBAPIError, *UNAVAILABLE_ERRORS)
MESSAGE = "the database is unavailable; nothing was stored, please try again shortly"
RETRY_AFTER = "5"
HTML = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>服务暂时不可用</title></head>'
        '<body><h1>服务暂时不可用 (503)</h1><p>系统暂时无法保存或读取数据，您的提交没有保存，请稍后再试。</p>'
        '<p lang="en">Service temporarily unavailable: nothing was stored, please try again shortly.</p>'
        '</body></html>')


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means "the database cannot be reached now" (as opposed to a bug in a query)."""
    if isinstance(exc, UNAVAILABLE_ERRORS):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def unavailable_response(request: Request, exc: BaseException) -> Response:
    """The 503 for a page or a JSON API path (Open311 renders its own, see the module)."""
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path,
                str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return service_unavailable(request.url.path, MESSAGE, HTML, RETRY_AFTER)


def service_unavailable(path: str, message: str, html: str, retry_after: str) -> Response:
    """A 503 with ``Retry-After`` in the caller's language: a page for page paths, else a JSON ``detail``
    (also the load shedder's answer, :mod:`massline.web.shedding`)."""
    headers = {"Retry-After": retry_after}
    if path == "/" or path.startswith(PAGE_PATHS):
        return HTMLResponse(html, status_code=503, headers=headers)
    return JSONResponse({"detail": message}, status_code=503, headers=headers)


def install(app: FastAPI) -> None:
    """Register the 503 handler for every database-unavailable exception class."""

    async def handler(request: Request, exc: Exception) -> Response:
        if not is_unavailable(exc):
            raise exc
        return unavailable_response(request, exc)

    for cls in CAUGHT:
        app.add_exception_handler(cls, handler)
