"""The pages answering a failed CSRF check or a forbidden role (403), rendered in the user's language.

Why apart from ``security``: rendering needs ``security`` (user, CSRF token in every page), so
``security`` must not import the renderer back; these handlers depend on both, one way.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import Response

from massline.web.pages.rendering import render
from massline.web.pages.security import CSRFError, PageForbidden


def install_error_pages(app: FastAPI) -> None:
    """Register the 403 pages (idempotent: FastAPI keeps one handler per exception class)."""

    @app.exception_handler(CSRFError)
    async def _csrf_failed(request: Request, exc: CSRFError) -> Response:
        return render(request, "error.html", {"status": 403, "message_id": "csrf"}, status_code=403)

    @app.exception_handler(PageForbidden)
    async def _forbidden(request: Request, exc: PageForbidden) -> Response:
        return render(request, "error.html", {"status": 403, "message_id": "forbidden"}, status_code=403)
