"""What a process built to keep is put out of the cyclic garbage collector's reach.

Why: CPython's full (generation 2) collection walks every tracked object, and it runs whenever
enough new objects have survived — in a web process under load, every few seconds. Such a
process holds ≈ 530,000 objects once intake has built its cleaning pipeline (≈ 200,000 of them:
the converters' and the segmenter's dictionaries) on top of what the app's modules, routes and
templates hold (≈ 280,000), and one full collection then stalls it for 230–320 ms (measured on
the 2-core benchmark machine): every request in flight waits, which under load is a p99 of its
own. ``gc.freeze()`` moves everything alive now into a permanent generation the collector skips;
what is created later is collected as before, and the frozen objects are still freed when their
last reference goes. CPython documents the same call for servers that fork workers (the frozen
pages stay shared with the children instead of being copied when the collector touches them).
"""

from __future__ import annotations

import gc
from functools import cache


@cache
def settle(stage: str) -> None:
    """Freeze what exists now, once per ``stage`` (e.g. ``"web app"``, ``"cleaning pipeline"``) and
    process: a test process that starts many apps must not freeze each one's garbage."""
    gc.freeze()
