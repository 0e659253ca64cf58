"""What every response and every request goes through, whatever router serves it.

* :class:`SecurityHeaders` — Content-Security-Policy (scripts and styles from this site only, no
  inline script; ``frame-ancestors 'none'``), ``X-Frame-Options``, ``Referrer-Policy: no-referrer``
  (tracking links carry the requester's token), ``X-Content-Type-Options: nosniff``, and
  ``Cache-Control: no-store`` on everything but static files (staff pages, API answers and
  tracking pages carry personal data). ``Strict-Transport-Security`` when ``MASSLINE_HTTPS=true``.
* :class:`InputGuard` — refuses, before any handler runs, a path id beyond 64 bits (404: no
  such row can exist, and the database driver would fail on it) and a null byte (``\\x00``) in the
  path, the query or a form/JSON body (422 naming the field: PostgreSQL cannot store it and no
  text needs it).

Pure ASGI middlewares (no ``BaseHTTPMiddleware``), so streaming responses stay streaming.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_ID = 2**63 - 1
#: Bodies larger than this are not buffered for the null-byte check (nothing we accept is that big).
MAX_CHECKED_BODY = 2_000_000

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
#: The interactive API docs load Swagger UI / ReDoc from their CDN with an inline bootstrap script.
DOCS_CSP = ("default-src 'self' https://cdn.jsdelivr.net; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
            "object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
DOCS_PATHS = ("/docs", "/redoc")
#: Paths answered with an HTML page (the portal and the console); everything else is an API.
PAGE_PATHS = ("/staff", "/track", "/request")


class SecurityHeaders:
    """Adds the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", DOCS_CSP if path.startswith(DOCS_PATHS) else CSP)
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if not path.startswith("/static/"):
                    headers["Cache-Control"] = "no-store"
                if self.https:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def oversized_id(path: str) -> bool:
    """Whether a path segment is a number no 64-bit id can be (``123.json`` counts as ``123``)."""
    for segment in path.split("/"):
        digits = segment.split(".", 1)[0]
        if digits.isdigit() and digits.isascii() and (len(digits) > 19 or int(digits) > MAX_ID):
            return True
    return False


def _null_in_pairs(pairs: Iterable[tuple[str, str]]) -> str | None:
    for key, value in pairs:
        if "\x00" in key or "\x00" in value:
            return key.replace("\x00", "\\x00") or "(empty name)"
    return None


def _null_in_json(value: Any, where: str = "") -> str | None:
    if isinstance(value, str):
        return where or "body" if "\x00" in value else None
    if isinstance(value, Mapping):
        for key, sub in value.items():
            name = f"{where}.{key}" if where else str(key)
            if "\x00" in str(key):
                return name.replace("\x00", "\\x00")
            found = _null_in_json(sub, name)
            if found:
                return found
    if isinstance(value, list):
        for i, sub in enumerate(value):
            found = _null_in_json(sub, f"{where}[{i}]")
            if found:
                return found
    return None


def null_byte_field(content_type: str, body: bytes) -> str | None:
    """The name of the first body field holding a null byte (None: none, or a body we do not read)."""
    if b"\x00" not in body and b"%00" not in body and b"\\u0000" not in body:
        return None
    if content_type.startswith("application/x-www-form-urlencoded"):
        return _null_in_pairs(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
    if content_type.startswith("application/json"):
        try:
            return _null_in_json(json.loads(body))
        except ValueError:
            return None  # not JSON: the endpoint's own validation answers
    return None


class InputGuard:
    """404 for ids beyond 64 bits in the path; 422 naming the field for a null byte anywhere."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if oversized_id(path):
            await _error(scope, send, 404, "path", "no such id (ids are at most 64-bit numbers)")
            return
        if "\x00" in path or "\x00" in unquote(scope.get("raw_path", b"").decode("latin-1")):
            await _error(scope, send, 422, "path", "must not contain a null byte (\\x00)")
            return
        query = scope.get("query_string", b"").decode("latin-1")
        field = _null_in_pairs(parse_qsl(query, keep_blank_values=True)) if "%00" in query else None
        if field is not None:
            await _error(scope, send, 422, field, "must not contain a null byte (\\x00)")
            return
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"").decode("latin-1").lower()
        if scope.get("method") not in ("POST", "PUT", "PATCH") or not content_type.startswith(
                ("application/x-www-form-urlencoded", "application/json")):
            await self.app(scope, receive, send)
            return
        body, more, messages = b"", True, []
        while more and len(body) <= MAX_CHECKED_BODY:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            more = message.get("more_body", False)
        field = null_byte_field(content_type, body) if not more else None
        if field is not None:
            await _error(scope, send, 422, field, "must not contain a null byte (\\x00)")
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


async def _error(scope: Scope, send: Send, status: int, field: str, problem: str) -> None:
    """The refusal in the caller's dialect: Open311 error list, API ``detail``, or a short page."""
    path: str = scope.get("path", "")
    text = f"{field}: {problem}"
    if path.startswith("/open311/"):
        from massline.web.api.open311_format import error_body, to_json, to_xml

        xml = path.endswith(".xml")
        body = to_xml("errors", error_body([(status, text)])) if xml else to_json(error_body([(status, text)]))
        media = "text/xml; charset=utf-8" if xml else "application/json; charset=utf-8"
    elif path.startswith(PAGE_PATHS) or path == "/":
        body = (f"<!doctype html><meta charset=utf-8><title>{status}</title><h1>{status}</h1>"
                f"<p>{'请求无法处理' if status == 422 else '未找到该内容'} — {text}</p>").encode()
        media = "text/html; charset=utf-8"
    else:
        detail: Any = [{"loc": [field], "msg": problem, "type": "invalid_input"}] if status == 422 else "Not Found"
        body, media = json.dumps({"detail": detail}, ensure_ascii=False).encode(), "application/json"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", media.encode()), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def install(app: Any, *, https: bool) -> None:
    """Add both guards to ``app`` (outermost, so they see every request and every response)."""
    app.add_middleware(InputGuard)
    app.add_middleware(SecurityHeaders, https=https)
