"""Handing a dispatcher's decision to the work-order feature, when it is installed.

Why guarded: routing must work on an installation without work orders (and be testable
alone), so the work-order module is imported only here, at call time. The work-order feature
defines ``massline.serve.workorders.on_triage_decision``, which opens the message's case
assigned to the department, or assigns the case waiting in the dispatch queue.
"""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy.orm import Session

from massline.db.models.routing import TriageDecision

HOOK_MODULE = "massline.serve.workorders"
HOOK_NAME = "on_triage_decision"


def hand_off(session: Session, decision: TriageDecision) -> int | None:
    """Let the work-order feature assign the case; the work order id, or None when there is none."""
    try:
        module: Any = importlib.import_module(HOOK_MODULE)
    except ImportError:
        return None
    hook = getattr(module, HOOK_NAME, None)
    if not callable(hook):
        return None
    result = hook(session, message_id=decision.message_id, department_code=decision.department_code,
                  category=decision.category, actor=decision.actor, reason=decision.reason)
    wo_id = getattr(result, "id", result)
    return int(wo_id) if isinstance(wo_id, int) else None
