"""Handing a dispatcher's decision to the work-order feature, when it is installed.

Why a separate, guarded module: routing must work on an installation without work orders
(and be testable alone), so nothing here is imported at module level. The order of
preference: a hook the work-order feature defines for exactly this
(``massline.serve.workorders.on_triage_decision``), else its generic case functions — open a
case for the message already assigned to the department, or assign a queued one.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.db.models.routing import TriageDecision

log = logging.getLogger(__name__)

QUEUED = ("new", "returned")


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def hand_off(session: Session, decision: TriageDecision) -> int | None:
    """Let the work-order feature assign the case; the work order id, or None when there is none."""
    hooks = _module("massline.serve.workorders")
    hook = getattr(hooks, "on_triage_decision", None) if hooks is not None else None
    if callable(hook):
        result = hook(session, message_id=decision.message_id, department_code=decision.department_code,
                      category=decision.category, actor=decision.actor, reason=decision.reason)
        return int(result) if isinstance(result, int) else getattr(result, "id", None)
    cases, lifecycle = _module("massline.serve.cases"), _module("massline.serve.lifecycle")
    models = _module("massline.db.models.workorders")
    work_order_cls = getattr(models, "WorkOrder", None) if models is not None else None
    if cases is None or lifecycle is None or work_order_cls is None or not decision.department_code:
        return None
    reason = f"triage: {decision.reason}" if decision.reason else "triage decision"
    wo = session.scalar(select(work_order_cls).where(work_order_cls.message_id == decision.message_id))
    if wo is None:
        wo = cases.open_work_order(session, message_id=decision.message_id, category=decision.category,
                                   department_code=decision.department_code, confidence=1.0, reason=reason,
                                   actor=decision.actor)
    elif wo.status in QUEUED:
        wo.category = decision.category
        lifecycle.assign(session, wo, department_code=decision.department_code, actor=decision.actor, reason=reason)
    else:
        log.info("work order %s is already %s; the dispatcher can transfer it", wo.id, wo.status)
    return int(wo.id)
