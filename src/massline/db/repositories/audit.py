"""Writing the append-only audit log. Every feature records through this one function."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from massline.db.models.audit import AuditEvent


def record_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Add one audit event to ``session`` (the caller's transaction decides when it is committed).

    ``action`` is a dotted verb such as ``triage.decide``, ``pii.raw_view``, ``auth.login``,
    ``workorder.transfer``, ``admin.user_create``. Never put a password or raw personal data
    in ``detail``.
    """
    event = AuditEvent(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        detail=detail or {},
        reason=reason,
    )
    session.add(event)
    return event
