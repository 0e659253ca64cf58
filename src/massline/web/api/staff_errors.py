"""Staff API errors: our exceptions as HTTP statuses with a ``detail`` that names the problem.

A route class (not app-wide handlers) so the Open311 routes keep the spec's error list and
the pages keep their HTML errors. Mapping: :class:`NotFoundError` → 404 (also what a handler
gets for another department's case: ids cannot be probed), :class:`PermissionDenied` → 403,
:class:`TransitionError` → 409 (the state machine said no; the text lists what is allowed),
:class:`InputError` → 422 with the field.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from massline.core.errors import InputError, NotFoundError, PermissionDenied, TransitionError
from massline.web.deps import answer_error

#: A row id in a path: 32-bit like the id columns, so PostgreSQL never sees an out-of-range integer.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]

STATUS: tuple[tuple[type[Exception], int], ...] = (
    (NotFoundError, 404),
    (PermissionDenied, 403),
    (TransitionError, 409),
    (InputError, 422),
)
#: For the OpenAPI document of every staff route.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not authenticated (bearer token or HTTP Basic)"},
    403: {"description": "The role or department does not allow this"},
    404: {"description": "Not found, or not visible to this user"},
}


def error_response(exc: Exception) -> Response | None:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            body: dict[str, Any] = {"detail": str(exc)}
            if isinstance(exc, InputError) and exc.field:
                body["field"] = exc.field
            return JSONResponse(body, status_code=status)
    return None


class StaffRoute(APIRoute):
    """Turns our domain exceptions into their HTTP status; anything else propagates (a real 500)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except (NotFoundError, PermissionDenied, TransitionError, InputError) as exc:
                answer_error(request)  # what the endpoint wrote before it failed is not committed
                response = error_response(exc)
                assert response is not None
                return response

        return handler
