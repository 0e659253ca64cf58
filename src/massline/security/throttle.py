"""Login throttling with growing delays, and per-minute rate limits, on the shared counters.

Why delays and not a lockout: locking an account after N failures lets anyone lock the real
``admin`` out by typing a wrong password ten times. Here failures are counted per client
address, per (account, address) pair and per account, and each count asks the *next* attempt
to wait ``2^(n − free)`` seconds after the last failure (capped at :data:`MAX_DELAY`):

* one address guessing one account is slowed after :data:`FREE_PAIR` failures;
* one address spraying many accounts after :data:`FREE_ADDRESS` failures;
* many addresses guessing one account (a botnet) after :data:`FREE_ACCOUNT` failures in total —
  but that delay applies only to addresses that have themselves failed on the account, so the
  right password from a new address still works at once.

A successful login clears its pair counter. The client address is ``request.client.host``;
behind a reverse proxy run uvicorn with ``--proxy-headers --forwarded-allow-ips=<proxy>``.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from massline.security.counters import Count, Counters

WINDOW = 900.0  # failures older than 15 minutes are forgotten
FREE_PAIR = 3
FREE_ADDRESS = 10
FREE_ACCOUNT = 10
MAX_DELAY = 300.0


def delay_after(failures: int, free: int) -> float:
    """Seconds an attempt must wait after the last of ``failures`` (0 while within ``free``)."""
    if failures < free:
        return 0.0
    return float(min(MAX_DELAY, 2.0 ** min(failures - free, 16)))


def _remaining(count: Count | None, free: int, now: float) -> float:
    if count is None:
        return 0.0
    return max(0.0, count.last_at + delay_after(count.count, free) - now)


def _account(username: str) -> str:
    """A bounded key part for a client-chosen name (keys stay short whatever is typed)."""
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    """Growing delays for failed logins, shared by every worker through ``counters``."""

    counters: Counters
    enabled: bool = True

    def _keys(self, username: str, address: str) -> tuple[str, str, str]:
        account = _account(username)
        return f"login:ip:{address}", f"login:pair:{account}:{address}", f"login:acct:{account}"

    def wait(self, username: str, address: str, *, now: float | None = None) -> float:
        """Seconds this attempt must still wait (0: check the password now)."""
        if not self.enabled:
            return 0.0
        now = time.time() if now is None else now
        ip_key, pair_key, account_key = self._keys(username, address)
        by_ip = self.counters.peek(ip_key, WINDOW, now=now)
        by_pair = self.counters.peek(pair_key, WINDOW, now=now)
        waits = [_remaining(by_ip, FREE_ADDRESS, now), _remaining(by_pair, FREE_PAIR, now)]
        if by_pair is not None:  # the account-wide delay only for addresses that failed on it
            waits.append(_remaining(self.counters.peek(account_key, WINDOW, now=now), FREE_ACCOUNT, now))
        return max(waits)

    def failed(self, username: str, address: str, *, now: float | None = None) -> None:
        if not self.enabled:
            return
        for key in self._keys(username, address):
            self.counters.hit(key, WINDOW, now=now)

    def succeeded(self, username: str, address: str) -> None:
        if self.enabled:
            self.counters.clear(self._keys(username, address)[1])


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most ``limit`` events per ``window`` seconds per key (``limit`` 0 = unlimited), shared by every worker."""

    counters: Counters
    name: str
    limit: int
    window: float = 60.0

    def hit(self, key: str, *, now: float | None = None) -> float | None:
        """Count one event; seconds to wait when it is over the limit (the event is refused), else None."""
        if self.limit <= 0:
            return None
        now = time.time() if now is None else now
        count = self.counters.hit(f"rate:{self.name}:{key}", self.window, now=now)
        if count.count > self.limit:
            return max(1.0, count.first_at + self.window - now)
        return None
