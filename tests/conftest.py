"""Shared fixtures: a real database per test, SQLite always and PostgreSQL when configured.

PostgreSQL tests read ``MASSLINE_TEST_DATABASE_URL``. Locally they skip *visibly* when it
is unset; under ``CI=true`` a missing URL is an error, so CI can never go green without
exercising PostgreSQL. A throw-away PostgreSQL database is created, migrated once per run,
dropped at the end, and emptied (TRUNCATE … RESTART IDENTITY) after each test; SQLite gets
a fresh file per test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from massline.core.config import Settings
from massline.db.base import Base
from massline.db.session import get_engine, get_sessionmaker, upgrade

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DATA = SHARED / "data"
SEED = SHARED / "seed" / "000_26c8609fec4c407e.txt"
PG_ENV = "MASSLINE_TEST_DATABASE_URL"


def pytest_report_header() -> str:
    url = os.environ.get(PG_ENV)
    return f"PostgreSQL tests: {'ON (' + url.split('@')[-1] + ')' if url else 'SKIPPED (set ' + PG_ENV + ')'}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PG_ENV} must be set in CI so PostgreSQL is exercised")
        pytest.skip(f"PostgreSQL not configured: set {PG_ENV} to run these tests")
    # A throw-away database per test run, so parallel runs never share tables.
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"massline_t_{os.getpid()}_{secrets.token_hex(3)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    run_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    upgrade(run_url)
    yield run_url
    get_engine(run_url).dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(url: str) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with get_engine(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database URL — once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'massline.db'}"
        upgrade(url)
        yield url
        get_engine(url).dispose()
    else:
        url = request.getfixturevalue("pg_url")
        _truncate_all(url)
        yield url
        _truncate_all(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """A migrated SQLite database only (for tests whose logic does not depend on the backend)."""
    url = f"sqlite:///{tmp_path / 'massline.db'}"
    upgrade(url)
    yield url
    get_engine(url).dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path / "data", secret_key="test-secret")


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    s = get_sessionmaker(db_url)()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


_pg_outcomes: dict[str, int] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count outcomes of PostgreSQL-parametrized tests, so CI output shows they really ran."""
    if "postgresql" in report.nodeid and (report.when == "call" or report.outcome == "skipped"):
        _pg_outcomes[report.outcome] = _pg_outcomes.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(_pg_outcomes.items())) or "none collected"
    terminalreporter.write_line(f"PostgreSQL-parametrized tests: {counts}")
