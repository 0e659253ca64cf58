"""A worker's CPU priority below the web processes' on a shared machine.

Why: routing may wait (a request is stored and answered first; the acceptance allows routing to
finish a minute after a burst), answering may not. With workers and web processes on the same
cores, a worker at the same priority takes CPU from the requests being answered. ``nice`` alone
does not help where the kernel schedules each session as a group (``sched_autogroup``, on by
default in Debian and Ubuntu): a worker started in its own session is a group of its own, weighed
equal to the group of all the web processes — so the group's nice value is lowered as well.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
AUTOGROUP = Path("/proc/self/autogroup")


def lower_priority(steps: int) -> None:
    """Lower this process's CPU priority (inherited by its pool children) by ``steps`` (0: unchanged)."""
    if steps <= 0:
        return
    os.nice(steps)
    try:
        AUTOGROUP.write_text(str(min(19, steps)), encoding="ascii")
    except OSError:  # no autogroup scheduling here (or not allowed): the process nice value does it
        log.debug("engine: session group priority not changed", exc_info=True)
