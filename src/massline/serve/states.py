"""The work-order state machine: which action moves a case from which statuses to which status.

Keyed by *action* rather than by (from, to) pair because two actions can lead to the same status
with different meaning (``assign`` and ``transfer`` both end in ``assigned``; ``close`` and
``merge`` both end in ``closed``) and each needs its own guard and event kind.

::

    new ──assign──▶ assigned ──accept──▶ accepted ──start──▶ in_progress ──reply──▶ replied ──close──▶ closed
     ▲                 │  ▲                 │                   │                     │  ▲             │
     └──(returned)◀─return┘  └──transfer────┴───────────────────┘                     │  └──reply──┐  │
                                                                          reopen ◀────┴──────────────┴──┘
                                                                            │ (after an unsatisfied rating)
                                                                            └──start / reply / transfer
    any open status ──merge──▶ closed (close_reason "merged", merged_into_id set)
    new / returned ──close──▶ closed (close_reason "invalid": spam, not a request)
"""

from __future__ import annotations

from typing import Final

from massline.core.errors import TransitionError

STATUSES: Final = ("new", "returned", "assigned", "accepted", "in_progress", "replied", "reopened", "closed")
#: What people read for each status (pages, CLI tables); the codes stay in data and APIs.
STATUS_LABELS: Final[dict[str, str]] = {
    "new": "待分拨", "returned": "已退回", "assigned": "已派单", "accepted": "已签收", "in_progress": "办理中",
    "replied": "已答复", "reopened": "重新办理", "closed": "已办结",
}
#: Statuses in the dispatcher's queue (no department acts on them).
QUEUE_STATUSES: Final = frozenset({"new", "returned"})
OPEN_STATUSES: Final = frozenset(STATUSES) - {"closed"}

#: action → (statuses it may start from, status it leads to)
ACTIONS: Final[dict[str, tuple[frozenset[str], str]]] = {
    "assign": (frozenset({"new", "returned"}), "assigned"),
    "accept": (frozenset({"assigned"}), "accepted"),
    "return": (frozenset({"assigned", "accepted"}), "returned"),
    "start": (frozenset({"accepted", "reopened"}), "in_progress"),
    "transfer": (frozenset({"assigned", "accepted", "in_progress", "reopened"}), "assigned"),
    "reply": (frozenset({"accepted", "in_progress", "reopened", "replied"}), "replied"),
    "reopen": (frozenset({"replied", "closed"}), "reopened"),
    "close": (frozenset({"replied", "new", "returned"}), "closed"),
    "merge": (frozenset({"new", "returned", "assigned", "accepted", "in_progress", "reopened"}), "closed"),
}


def allowed_transitions() -> dict[str, list[str]]:
    """status → sorted statuses reachable in one action (for docs, the API and error messages)."""
    out: dict[str, set[str]] = {s: set() for s in STATUSES}
    for sources, target in ACTIONS.values():
        for s in sources:
            out[s].add(target)
    return {s: sorted(t) for s, t in out.items()}


def allowed_actions(status: str) -> list[str]:
    """The actions the state machine allows from ``status`` (permissions are checked separately)."""
    return sorted(a for a, (sources, _) in ACTIONS.items() if status in sources)


def check_transition(action: str, status: str, *, work_order_id: int | None = None) -> str:
    """The status ``action`` leads to from ``status``; raises :class:`TransitionError` when not allowed."""
    if action not in ACTIONS:
        raise TransitionError(f"unknown action {action!r}; known actions: {', '.join(sorted(ACTIONS))}")
    sources, target = ACTIONS[action]
    if status not in sources:
        which = f"work order {work_order_id}" if work_order_id is not None else "work order"
        raise TransitionError(
            f"cannot {action} {which}: status {status!r} → {target!r} is not allowed; "
            f"{action} is allowed from {', '.join(sorted(sources))}; "
            f"from {status!r} the allowed actions are: {', '.join(allowed_actions(status)) or 'none'}"
        )
    return target
