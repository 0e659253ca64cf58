"""The web side of throttling: who the client is, and the app's login throttle and rate limits.

Everything is counted in the installation's shared counters
(:func:`massline.security.counters.counters_for`: the database, or Redis when
``MASSLINE_REDIS_URL`` is set), so limits hold across worker processes and restarts.
"""

from __future__ import annotations

from fastapi import Request

from massline.security.counters import counters_for
from massline.security.throttle import LoginThrottle, RateLimit
from massline.web.deps import app_settings


def client_address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy: uvicorn ``--proxy-headers``)."""
    return request.client.host if request.client else "unknown"


def login_throttle(request: Request) -> LoginThrottle:
    """Growing delays for failed logins (``api_rate_limit`` 0 switches them off, for load tests)."""
    settings = app_settings(request)
    return LoginThrottle(counters_for(settings), enabled=settings.api_rate_limit > 0)


def rate_limit(request: Request, name: str, limit: int) -> RateLimit:
    """``limit`` events a minute per key for the limit called ``name``."""
    return RateLimit(counters_for(app_settings(request)), name, limit)


def retry_after_header(wait: float) -> dict[str, str]:
    return {"Retry-After": str(int(wait) + 1)}
