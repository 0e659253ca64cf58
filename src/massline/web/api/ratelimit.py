"""A sliding-window rate limit per key (API key, username), kept in the server process.

Why in-process and not in the database: the limit protects this process from a flood, and a
shared store would add a write to every request. With several worker processes the
effective limit is ``workers × limit``, which the setting's description says.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import FastAPI

MAX_KEYS = 10_000


class SlidingWindow:
    """At most ``limit`` events per ``window`` seconds for each key (``limit`` 0 = unlimited)."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[object, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: object, now: float) -> deque[float]:
        if key not in self._events and len(self._events) >= MAX_KEYS:
            self._prune(now)
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def _prune(self, now: float) -> None:
        """Forget keys with no event in the window (keys are client-chosen: keep memory bounded)."""
        for key in [k for k, ev in self._events.items() if not ev or ev[-1] <= now - self.window]:
            del self._events[key]

    def retry_after(self, key: object) -> float | None:
        """Seconds to wait when ``key`` is at its limit now, else None (nothing recorded)."""
        if self.limit <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            events = self._recent(key, now)
            return events[0] + self.window - now if len(events) >= self.limit else None

    def hit(self, key: object) -> float | None:
        """Record one event for ``key``; seconds to wait if it is over the limit (then not recorded)."""
        if self.limit <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            events = self._recent(key, now)
            if len(events) >= self.limit:
                return events[0] + self.window - now
            events.append(now)
            return None


_CREATE = threading.Lock()


def limiter(app: FastAPI, name: str, limit: int) -> SlidingWindow:
    """The app's limiter called ``name`` (created on first use with ``limit`` per minute)."""
    with _CREATE:
        limiters: dict[str, SlidingWindow] | None = getattr(app.state, "rate_limiters", None)
        if limiters is None:
            limiters = app.state.rate_limiters = {}
        found = limiters.get(name)
        if found is None:
            found = limiters[name] = SlidingWindow(limit)
        return found
