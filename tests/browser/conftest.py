"""A real uvicorn server on a free port with the tiny seed, and Debian's chromium driven by Playwright.

Skipped only when /usr/bin/chromium is missing outside CI; in CI (``CI=true``) that is a failure.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from tests.browser.helpers import PASSWORD

from massline.core.config import Settings
from massline.db.session import session_scope, upgrade
from massline.web.app import create_app
from massline.web.pages.sample import create_user_with_password, seed_sample

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_settings(settings: Settings) -> Iterator[str]:
    """Serve an installation with uvicorn on a free port until the generator is closed."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def serve(folder: Path, prepare: Callable[[str], None]) -> Iterator[str]:
    """A migrated SQLite installation in ``folder``, filled by ``prepare(url)``, served by uvicorn on a free port."""
    url = f"sqlite:///{folder / 'massline.db'}"
    upgrade(url)
    prepare(url)
    yield from serve_settings(Settings(database_url=url, data_dir=folder, secret_key="browser-secret"))


def seed(url: str) -> None:
    """What every live server starts from: the tiny sample of cases and the users the tests log in as."""
    with session_scope(url) as session:
        seed_sample(session, secret_key="browser-secret")
        for role in ("dispatcher", "handler", "editor", "reviewer"):
            create_user_with_password(session, role, role, PASSWORD)


@pytest.fixture(scope="session")
def live_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The live server's settings and seeded database (tests may add their own rows through it)."""
    folder: Path = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'massline.db'}"
    upgrade(url)
    seed(url)
    # a 1-second scheduler tick, so a scheduled post can be watched going live
    return Settings(database_url=url, data_dir=folder, secret_key="browser-secret", scheduler_interval=1.0)


@pytest.fixture(scope="session")
def live_db(live_settings: Settings) -> str:
    """The live server's SQLite database URL; tests read it (or seed through the services) to check the pages."""
    return live_settings.resolved_database_url()


@pytest.fixture(scope="session")
def live_server(live_settings: Settings) -> Iterator[str]:
    yield from serve_settings(live_settings)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing in CI: run scripts/ensure-chromium.sh")
        pytest.skip(f"{CHROMIUM} not installed (run scripts/ensure-chromium.sh as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def _new_page(browser: object, live_server: str) -> tuple[object, object]:
    context = browser.new_context(base_url=live_server, locale="zh-CN")  # type: ignore[attr-defined]
    p = context.new_page()
    p.set_default_timeout(10_000)
    return context, p


@pytest.fixture
def page(browser: object, live_server: str) -> Iterator[object]:
    context, p = _new_page(browser, live_server)
    yield p
    context.close()  # type: ignore[attr-defined]


@pytest.fixture
def second_page(browser: object, live_server: str) -> Iterator[object]:
    """Another person's browser (own cookies), e.g. the handler next to the dispatcher."""
    context, p = _new_page(browser, live_server)
    yield p
    context.close()  # type: ignore[attr-defined]


@pytest.fixture
def third_page(browser: object, live_server: str) -> Iterator[object]:
    """A third person's browser, e.g. the handler of a co-handling department."""
    context, p = _new_page(browser, live_server)
    yield p
    context.close()  # type: ignore[attr-defined]
