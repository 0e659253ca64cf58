"""``massline worker --nice``: the worker process (and, where the kernel groups sessions, its session)
runs at a lower CPU priority than the web processes it shares the machine with."""

from __future__ import annotations

import subprocess
import sys

from tests.paths import SRC

#: the probes' reader of the session group's nice value (``default`` where the kernel shows none: no
#: autogroup file, or an empty one for the kernel's default group — a session no setsid created, as in a
#: CI container)
GROUP = """
import os
from massline.engine.priority import lower_priority, AUTOGROUP
group = lambda default: ((AUTOGROUP.read_text().split() if AUTOGROUP.exists() else []) or [default])[-1]
"""

PROBE = GROUP + """
os.setsid()  # a session of its own, as `massline worker` started by an init system or a shell
lower_priority(7)
print(os.nice(0), group('7'))
"""


def test_a_worker_lowers_its_own_and_its_sessions_priority() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(SRC)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["7", "7"]


def test_nice_zero_changes_nothing() -> None:
    probe = "import os\nfrom massline.engine.priority import lower_priority\nbefore = os.nice(0)\n" \
            "lower_priority(0)\nprint(os.nice(0) - before)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(SRC)})
    assert done.stdout.strip() == "0", done.stderr


IDLE_PROBE = GROUP + """
before = group('0')
lower_priority(0, idle=True)  # not its session's leader: the session group is its starter's too
print(os.sched_getscheduler(0) == os.SCHED_IDLE, group('0') == before)
"""


def test_an_idle_worker_runs_under_sched_idle_and_leaves_a_shared_session_group_alone() -> None:
    done = subprocess.run([sys.executable, "-c", IDLE_PROBE], capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(SRC)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
