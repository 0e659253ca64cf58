"""A worker's CPU priority below the web processes' on a shared machine.

Why: routing may wait (a request is stored and answered first; the acceptance allows routing to
finish a minute after a burst), answering may not. With workers and web processes on the same
cores, a worker at the same priority takes CPU from the requests being answered.

Two levers, measured with ``benchmarks/intake_floor.py`` on a 2-core machine (two web processes
answering 200 requests/s, 3 ms of work each, next to two always-busy background processes; p99 of
the answers, 9.5 ms with no background work):

* ``nice`` — only ranks processes *within* one scheduling group. Where the kernel schedules each
  session as a group (``sched_autogroup``, on by default in Debian and Ubuntu) a worker started in
  its own session is a group of its own, weighed equal to the group of all the web processes, so
  its session group's nice value is lowered too. It is not enough: at nice 19 in the web
  processes' session the p99 was 318 ms, in sessions of their own the queue ran away (19.5 s) — a
  niced task still runs out its slice when a request's thread wakes.
* ``SCHED_IDLE`` (``idle``) — the kernel runs the worker only when nothing of normal priority in its
  group wants the CPU, and a waking normal task preempts it at once: p99 16–28 ms. It works within
  one scheduling group: start the workers from the web processes' session (as ``make bench``
  does), or give their cgroup ``cpu.idle`` (systemd: ``CPUWeight=idle``). In a session of its own
  the group weight still rules (150 ms even with the session group at nice 19, which is lowered
  all the same).

A process that is not its session's leader shares its session group with the processes that
started it — lowering that group would lower them too (the web processes, say), so only a session
leader touches it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
AUTOGROUP = Path("/proc/self/autogroup")


def lower_priority(steps: int, *, idle: bool = False) -> None:
    """Lower this process's CPU priority (inherited by its pool children): ``steps`` of nice (0:
    unchanged) and, with ``idle``, the ``SCHED_IDLE`` policy (Linux; ignored where missing)."""
    if idle:
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except (AttributeError, OSError):
            log.warning("engine: SCHED_IDLE is not available here; the worker keeps its scheduling policy")
    if steps > 0:
        os.nice(steps)
    group = 19 if idle else min(19, steps)
    if group <= 0 or os.getsid(0) != os.getpid():
        return
    try:
        AUTOGROUP.write_text(str(group), encoding="ascii")
    except OSError:  # no autogroup scheduling here (or not allowed): the process's own priority does it
        log.debug("engine: session group priority not changed", exc_info=True)
