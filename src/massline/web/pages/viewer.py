"""What a logged-in staff member may see of a text: personal data masked for every role by default.

Why even the administrator gets masked pages: seeing raw personal data must be a deliberate,
audited act (``pii.raw_view`` with a reason), never a side effect of opening the inbox. The
raw view is one explicit POST on the message page, for administrators only.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from massline.db.repositories.audit import record_audit
from massline.privacy import mask_text
from massline.web.pages.security import PageUser

RAW_VIEW_ROLES = frozenset({"administrator"})


def masker(user: PageUser) -> Callable[[str | None], str]:
    """A function masking texts as ``user`` may see them on staff pages (never raw: the privacy
    policy masks the ``staff`` output for every role, the administrator included)."""

    def mask(text: str | None) -> str:
        return mask_text(text or "", "staff", role=user.role) if text else ""

    return mask


def raw_view(session: Session, user: PageUser, message_id: int, reason: str) -> Callable[[str | None], str]:
    """Record the administrator's raw view of one message (with the reason) and return the identity."""
    record_audit(session, actor=user.username, action="pii.raw_view", object_type="message",
                 object_id=message_id, reason=reason)

    def identity(text: str | None) -> str:
        return text or ""

    return identity
