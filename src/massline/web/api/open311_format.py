"""Open311 GeoReport v2 wire formats: JSON and XML from the same plain data, and the spec's error list.

The spec defines XML first and derives JSON by the "Spark convention": a list element
(``<services>``) becomes a JSON array whose items are the child elements (``<service>``),
and leaf elements become keys. So handlers build plain Python data once (lists of ordered
dicts, ``None`` for an empty element) and :func:`render` writes either format. The table
:data:`LIST_ITEM` names the child element of every list the spec has.

Errors follow the spec too: ``[{"code": 400, "description": "..."}]`` or
``<errors><error><code>400</code><description>…</description></error></errors>``, with
the HTTP status equal to the (first) error code. Raise :class:`Open311Error` anywhere in
an Open311 handler; :class:`Open311Route` renders it in the format the path asked for.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from massline.web.deps import answer_error
from massline.web.unavailable import CAUGHT, MESSAGE, RETRY_AFTER, is_unavailable

log = logging.getLogger(__name__)

FORMATS: dict[str, str] = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}

# Child element name of every list in the spec (Spark convention: JSON arrays have no names).
LIST_ITEM: dict[str, str] = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


class Open311Error(Exception):
    """One or more spec errors; the HTTP status is the first error's code."""

    def __init__(self, code: int, description: str, *more: tuple[int, str]) -> None:
        self.errors: list[tuple[int, str]] = [(code, description), *more]
        super().__init__(description)

    @property
    def status_code(self) -> int:
        return self.errors[0][0]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    """Put ``value`` inside ``element``: a mapping as child elements, a list as repeated items, else text."""
    if isinstance(value, Mapping):
        for key, sub in value.items():
            _fill(ET.SubElement(element, key), sub)
    elif isinstance(value, list | tuple):
        item_tag = LIST_ITEM.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    """``data`` under the root element ``root`` as UTF-8 XML with the declaration the spec asks for."""
    element = ET.Element(root)
    _fill(element, data)
    body = ET.tostring(element, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(data: Any, fmt: str, root: str, status_code: int = 200) -> Response:
    """One Open311 response in ``fmt`` ("json" or "xml"); ``root`` is the XML root element."""
    body = to_xml(root, data) if fmt == "xml" else to_json(data)
    return Response(content=body, status_code=status_code, media_type=FORMATS.get(fmt, FORMATS["json"]))


def check_format(fmt: str) -> str:
    """The format named by the path suffix, or a 400 naming what is supported."""
    if fmt not in FORMATS:
        raise Open311Error(400, f"format {fmt!r} is not supported: use .json or .xml")
    return fmt


def format_of(request: Request) -> str:
    """The response format a path asks for (``….xml`` → XML, anything else → JSON)."""
    return "xml" if request.url.path.endswith(".xml") else "json"


def error_body(errors: Sequence[tuple[int, str]]) -> list[dict[str, Any]]:
    return [{"code": code, "description": description} for code, description in errors]


def error_response(request: Request, errors: Sequence[tuple[int, str]]) -> Response:
    return render(error_body(errors), format_of(request), "errors", status_code=errors[0][0])


def _validation_errors(exc: RequestValidationError) -> list[tuple[int, str]]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
        errors.append((400, f"{'.'.join(loc) or 'request'}: {err.get('msg', 'invalid value')}"))
    return errors or [(400, "invalid request")]


class Open311Route(APIRoute):
    """A route whose errors are the spec's error list, whatever other routers do with theirs.

    Done per route (not with app-wide exception handlers) so that the pages' HTML error
    handlers and the staff API's JSON ``detail`` errors stay as they are. A database that cannot
    be reached is the spec's ``503`` (with ``Retry-After``; see :mod:`massline.web.unavailable`).
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except Open311Error as exc:
                errors = exc.errors
            except RequestValidationError as exc:
                errors = _validation_errors(exc)
            except StarletteHTTPException as exc:
                errors = [(exc.status_code, str(exc.detail))]
            except CAUGHT as exc:
                if not is_unavailable(exc):
                    raise
                log.warning("open311: database unavailable on %s %s", request.method, request.url.path)
                answer_error(request)
                response = error_response(request, [(503, MESSAGE)])
                response.headers["Retry-After"] = RETRY_AFTER
                return response
            answer_error(request)  # what the endpoint wrote before it failed is not committed
            return error_response(request, errors)

        return handler
