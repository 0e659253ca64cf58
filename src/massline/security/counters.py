"""Counters shared by every worker process: in the database, or in Redis when configured.

One small interface (:class:`Counters`: ``hit``, ``peek``, ``clear``) with two backends, so
login throttling and rate limits hold with ``uvicorn --workers N`` or several hosts — an
in-process counter would give an attacker ``N ×`` the attempts and forget them on restart.

A counter counts events for a key in a *fixed window* that starts at its first event and
restarts with the first event after it has passed (the database resets it in the same upsert,
Redis lets the key expire). Each ``hit`` is one atomic statement, so concurrent workers never
lose an increment.

The database backend writes on its own connection and commits at once (a failed login must
count even when the request's transaction rolls back). On SQLite call it before the request's
session writes anything or after it has committed, never in between: the request's open write
transaction would make this connection wait.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from massline.core.config import Settings
from massline.db.models.security import RateCounter
from massline.db.session import get_engine

#: Rows untouched for this long are deleted now and then (the longest window we use is shorter).
STALE_AFTER = 86_400.0
PRUNE_PROBABILITY = 0.01


@dataclass(frozen=True, slots=True)
class Count:
    """Events in the current window of a key: how many, when the window started, when the last one came."""

    count: int
    first_at: float
    last_at: float


class Counters(Protocol):
    """What throttling needs from a shared store (times are epoch seconds)."""

    def hit(self, key: str, window: float, *, now: float | None = None) -> Count:
        """Count one event for ``key``; the count of the current window including it."""
        ...

    def peek(self, key: str, window: float, *, now: float | None = None) -> Count | None:
        """The current window of ``key`` without counting (None when it has none)."""
        ...

    def clear(self, key: str) -> None:
        """Forget ``key`` (e.g. the failures of a login that finally succeeded)."""
        ...


class DatabaseCounters:
    """Counters in the ``rate_counters`` table (SQLite or PostgreSQL, the installation's database)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._insert = pg_insert if get_engine(url).dialect.name == "postgresql" else sqlite_insert

    def hit(self, key: str, window: float, *, now: float | None = None) -> Count:
        now = time.time() if now is None else now
        expired = RateCounter.first_at <= now - window
        insert = self._insert(RateCounter).values(key=key, count=1, first_at=now, last_at=now)
        stmt = insert.on_conflict_do_update(index_elements=[RateCounter.key], set_={
            "count": case((expired, 1), else_=RateCounter.count + 1),
            "first_at": case((expired, now), else_=RateCounter.first_at),
            "last_at": now,
        }).returning(RateCounter.count, RateCounter.first_at, RateCounter.last_at)
        with get_engine(self.url).begin() as conn:
            count, first_at, last_at = conn.execute(stmt).one()
            if random.random() < PRUNE_PROBABILITY:
                conn.execute(delete(RateCounter).where(RateCounter.last_at < now - STALE_AFTER))
        return Count(int(count), float(first_at), float(last_at))

    def peek(self, key: str, window: float, *, now: float | None = None) -> Count | None:
        now = time.time() if now is None else now
        with get_engine(self.url).connect() as conn:
            row = conn.execute(select(RateCounter.count, RateCounter.first_at, RateCounter.last_at)
                               .where(RateCounter.key == key)).one_or_none()
        if row is None or row[1] <= now - window:
            return None
        return Count(int(row[0]), float(row[1]), float(row[2]))

    def clear(self, key: str) -> None:
        with get_engine(self.url).begin() as conn:
            conn.execute(delete(RateCounter).where(RateCounter.key == key))


#: Atomic hit: count, remember first/last, let Redis expire the window.
_HIT = """
local c = redis.call('HINCRBY', KEYS[1], 'count', 1)
if c == 1 then
  redis.call('HSET', KEYS[1], 'first', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
redis.call('HSET', KEYS[1], 'last', ARGV[1])
return {c, redis.call('HGET', KEYS[1], 'first')}
"""


class RedisCounters:
    """Counters in Redis (``MASSLINE_REDIS_URL``): hashes ``massline:rc:<key>`` that expire with their window."""

    prefix = "massline:rc:"

    def __init__(self, url: str) -> None:
        import redis  # optional dependency: pip install 'massline[redis]'

        self.client: Any = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._hit = self.client.register_script(_HIT)

    def hit(self, key: str, window: float, *, now: float | None = None) -> Count:
        now = time.time() if now is None else now
        count, first = self._hit(keys=[self.prefix + key], args=[repr(now), max(1, int(window * 1000))])
        return Count(int(count), float(first), now)

    def peek(self, key: str, window: float, *, now: float | None = None) -> Count | None:
        now = time.time() if now is None else now
        count, first, last = self.client.hmget(self.prefix + key, "count", "first", "last")
        if count is None or first is None or float(first) <= now - window:
            return None
        return Count(int(count), float(first), float(last or first))

    def clear(self, key: str) -> None:
        self.client.delete(self.prefix + key)


@lru_cache(maxsize=8)
def _redis(url: str) -> RedisCounters:
    return RedisCounters(url)


def counters_for(settings: Settings) -> Counters:
    """The installation's shared counters: Redis when ``redis_url`` is set, else the database."""
    if settings.redis_url:
        return _redis(settings.redis_url)
    return DatabaseCounters(settings.resolved_database_url())
