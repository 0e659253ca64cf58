"""App factory. Nothing is built at import time: ``create_app(settings)`` builds everything.

Routers live one per module (``web/api/routes/*.py``, ``web/pages/*.py``), each exposing
``router``; the factory includes every module in ``ROUTER_MODULES`` that exists.
"""

from __future__ import annotations

import importlib

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from massline import __version__
from massline.core.config import Settings, get_settings
from massline.core.memory import settle
from massline.web import guards, shedding, unavailable

ROUTER_MODULES: tuple[str, ...] = (
    "massline.web.api.open311",
    "massline.web.api.workorders",
    "massline.web.api.metrics",
    "massline.web.api.messages",
    "massline.web.api.auth",
    "massline.web.api.engine",
    "massline.web.pages.public",
    "massline.web.pages.staff",
    "massline.web.api.publication",
    "massline.web.api.posts",
    "massline.web.pages.public_posts",
    "massline.web.pages.staff_posts",
    "massline.web.pages.desk",
    "massline.web.pages.desk_public",
    "massline.web.pages.consult",
    "massline.web.pages.consult_staff",
    "massline.web.pages.guide",
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="massline", version=__version__, docs_url="/docs", openapi_url="/openapi.json")
    app.state.settings = settings
    app.state.database_url = settings.resolved_database_url()
    for name in ROUTER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        app.include_router(module.router)
        setup = getattr(module, "setup", None)
        if callable(setup):
            setup(app)

    # what the app is built from lives as long as the process (massline.core.memory)
    app.router.on_startup.append(lambda: settle("web app"))
    guards.install(app, https=settings.https)
    unavailable.install(app)
    shedding.install(app, settings.web_max_inflight)

    @app.get("/healthz", tags=["meta"], operation_id="meta-health")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        """Browsers and crawlers ask for this path whatever the pages say; answer instead of logging 404s."""
        return RedirectResponse("/static/favicon.svg", status_code=301)

    return app
