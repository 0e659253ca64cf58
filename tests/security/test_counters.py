"""Shared counters (database and Redis backends) and the login throttle's delays.

The database backend is tested on SQLite and PostgreSQL; the Redis backend when
``MASSLINE_TEST_REDIS_URL`` is set (e.g. ``redis://127.0.0.1:6379/15``), skipped visibly otherwise.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator

import pytest

from massline.security.counters import Counters, DatabaseCounters, RedisCounters
from massline.security.throttle import FREE_ACCOUNT, FREE_ADDRESS, FREE_PAIR, LoginThrottle, RateLimit, delay_after

REDIS_ENV = "MASSLINE_TEST_REDIS_URL"


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def counters(request: pytest.FixtureRequest) -> Iterator[Counters]:
    """Each backend; the database ones on SQLite and PostgreSQL (the ``db_url`` databases, keys are fresh)."""
    if request.param != "redis":
        yield DatabaseCounters(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))
        return
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"Redis not configured: set {REDIS_ENV} (e.g. redis://127.0.0.1:6379/15) to test that backend")
    yield RedisCounters(url)


def _key() -> str:
    return f"test:{secrets.token_hex(6)}"  # Redis is shared between runs: fresh keys only


def test_when_hit_then_counts_within_the_window_and_restarts_after_it(counters: Counters) -> None:
    key = _key()
    assert counters.peek(key, 60, now=1000.0) is None
    assert [counters.hit(key, 60, now=1000.0 + i).count for i in range(3)] == [1, 2, 3]
    seen = counters.peek(key, 60, now=1010.0)
    assert seen is not None and seen.count == 3 and seen.first_at == 1000.0 and seen.last_at == 1002.0
    if isinstance(counters, DatabaseCounters):  # Redis expires by its own clock; the DB by the given one
        assert counters.peek(key, 60, now=1061.0) is None
        assert counters.hit(key, 60, now=1061.0).count == 1
    counters.clear(key)
    assert counters.peek(key, 60, now=1062.0) is None


def test_when_workers_hit_at_once_then_no_increment_is_lost(counters: Counters) -> None:
    key = _key()
    def worker() -> None:
        for _ in range(10):
            counters.hit(key, 600)
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seen = counters.peek(key, 600)
    assert seen is not None and seen.count == 40


def test_delays_grow_and_are_capped() -> None:
    assert [delay_after(n, 3) for n in range(7)] == [0, 0, 0, 1, 2, 4, 8]
    assert delay_after(100, 3) == 300


def test_when_one_address_guesses_then_it_waits_but_the_owner_elsewhere_does_not(sqlite_url: str) -> None:
    throttle = LoginThrottle(DatabaseCounters(sqlite_url))
    t0 = 10_000.0
    for i in range(FREE_PAIR + 2):
        assert throttle.wait("admin", "203.0.113.9", now=t0 + i * 100) == 0 or i >= FREE_PAIR
        throttle.failed("admin", "203.0.113.9", now=t0 + i * 100)
    last = t0 + (FREE_PAIR + 1) * 100
    assert throttle.wait("admin", "203.0.113.9", now=last + 0.5) > 0  # the attacker is delayed
    assert throttle.wait("admin", "198.51.100.7", now=last + 0.5) == 0  # the real admin is not locked out
    assert throttle.wait("Admin ", "203.0.113.9", now=last + 0.5) > 0  # same account however it is typed


def test_when_many_addresses_guess_one_account_then_each_is_slowed_after_its_first_try(sqlite_url: str) -> None:
    throttle = LoginThrottle(DatabaseCounters(sqlite_url))
    now = 50_000.0
    for i in range(FREE_ACCOUNT + 2):
        throttle.failed("admin", f"192.0.2.{i}", now=now)
    assert throttle.wait("admin", "192.0.2.1", now=now + 0.5) > 0  # a botnet address that already failed
    assert throttle.wait("admin", "198.51.100.7", now=now + 0.5) == 0  # a new address: first try is free


def test_when_one_address_sprays_accounts_then_it_waits(sqlite_url: str) -> None:
    throttle = LoginThrottle(DatabaseCounters(sqlite_url))
    now = 70_000.0
    for i in range(FREE_ADDRESS + 1):
        throttle.failed(f"user{i}", "203.0.113.50", now=now)
    assert throttle.wait("someone-else", "203.0.113.50", now=now + 0.5) > 0


def test_when_a_rate_limit_is_full_then_hits_wait_for_the_window(sqlite_url: str) -> None:
    limit = RateLimit(DatabaseCounters(sqlite_url), "form", 2)
    assert limit.hit("ip", now=100.0) is None and limit.hit("ip", now=101.0) is None
    wait = limit.hit("ip", now=102.0)
    assert wait is not None and 57 <= wait <= 60
    assert limit.hit("other", now=102.0) is None
    assert limit.hit("ip", now=161.0) is None  # a new window
    assert RateLimit(DatabaseCounters(sqlite_url), "x", 0).hit("ip") is None  # 0 = unlimited
