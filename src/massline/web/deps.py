"""Request-scoped dependencies. Settings and engine come from the app (built in the factory).

Commit before answer: a FastAPI dependency with ``yield`` runs its exit code *after* the
response has been sent (the default ``scope="request"``), so a commit placed there lets a
client read "200, your request is number 17" while number 17 is not yet in the database — and
lost for good if the process dies in between. The session is therefore opened by a
request-scoped dependency (closed after the response, so lazy attributes still load while it
is serialised) and committed by a *function-scoped* one, whose exit runs as soon as the
endpoint returns and before a single byte of the response leaves.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.db.session import get_sessionmaker
from massline.engine.intake import commit_and_route
from massline.serve.requests import use_analyze_configs


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_app_settings(request: Request) -> Settings:
    """:func:`app_settings` as a dependency. ``async`` only so FastAPI calls it in the event loop: a
    plain function dependency is run on the thread pool, a hand-over for one attribute."""
    return app_settings(request)


def _open_session(request: Request) -> Iterator[Session]:
    """The request's session; rolled back (if anything is left open) and closed after the response."""
    session = get_sessionmaker(request.app.state.database_url)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def answer_error(request: Request) -> None:
    """The request is answered with an error: :func:`get_db` rolls its transaction back.

    For route classes that turn exceptions into error answers themselves (Open311's error list, the
    staff API's statuses): their handler runs *inside* the function-scoped dependency, so get_db
    sees a normal return and would otherwise commit whatever was written before the error — or,
    after a lost connection, fail its commit with a 500.
    """
    request.state.answer_error = True


def get_db(request: Request, session: Annotated[Session, Depends(_open_session)]) -> Iterator[Session]:
    """One transaction per request: committed when the endpoint returns (before the response is sent),
    rolled back when it raises or its answer is an error (:func:`answer_error`)."""
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    if getattr(request.state, "answer_error", False):
        session.rollback()
    else:
        session.commit()


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def accept_requests(request: Request, session: Session, settings: Settings, work_order_ids: Sequence[int]) -> None:
    """Commit just-received requests (Open311, portal) with their routing task, then start the routing.

    Durable first: when this returns the requests are stored and their routing is queued (or, by
    default without a broker, done); a commit that fails raises and nothing was accepted. The
    app's ``analyze_configs`` (a deployment's or a test's component overrides) are registered for
    the tasks this process runs.
    """
    use_analyze_configs(settings.resolved_database_url(), getattr(request.app.state, "analyze_configs", None))
    commit_and_route(session, settings, work_order_ids)
