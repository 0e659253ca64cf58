"""Stable surface of personal-data protection: find it, mask it per output, reveal it when allowed.

Every outward text (public replies and pages, feeds, exports, API responses) goes through
:func:`mask_text`. The default analyzer is built once (all registered recognizers,
regexes compiled) and reused, so a call costs a few regex passes over the text.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from sqlalchemy.orm import Session

from massline.core.errors import InputError, NotFoundError, PermissionDenied
from massline.privacy import operators
from massline.privacy.analyzer import Analyzer
from massline.privacy.base import PIIFinding
from massline.privacy.policy import has_permission, operator_for

__all__ = ["PIIFinding", "default_analyzer", "find_pii", "mask_text", "pii_summary", "reveal", "reveal_raw"]


@lru_cache(maxsize=1)
def default_analyzer() -> Analyzer:
    """The shared analyzer with every registered recognizer (built on first use)."""
    return Analyzer()


def find_pii(text: str, *, threshold: float | None = None) -> list[PIIFinding]:
    """All personal data found in ``text``: character offsets into ``text``, type, score, reason."""
    if not isinstance(text, str):
        raise InputError(f"expected str, got {type(text).__name__}", field="text")
    findings = default_analyzer().analyze(text)
    if threshold is not None:
        findings = [f for f in findings if f.score >= threshold]
    return findings


def pii_summary(text: str) -> dict[str, int]:
    """Counts per type — what may be stored or logged about a text's personal data (no values)."""
    return dict(Counter(f.type for f in find_pii(text)))


def _installation_secret(secret: str | None) -> str:
    if secret:
        return secret
    from massline.core.config import get_settings

    return get_settings().resolved_secret_key()


def mask_text(
    text: str,
    output: str = "public",
    role: str | None = None,
    *,
    secret: str | None = None,
    findings: list[PIIFinding] | None = None,
) -> str:
    """``text`` as it may be shown in ``output`` ("public", "export", "feed", "staff") to ``role``.

    ``secret`` defaults to the installation secret (only read when the policy hashes or
    encrypts); pass ``findings`` to reuse an earlier :func:`find_pii` of the same text.
    """
    if not text:
        return text
    found = find_pii(text) if findings is None else findings
    if not found:
        operator_for(output, role, "PHONE")  # still reject an unknown output/role loudly
        return text
    key: str | None = None
    parts: list[str] = []
    pos = 0
    for f in found:
        op = operator_for(output, role, f.type)
        if op in ("hash", "encrypt") and key is None:
            key = _installation_secret(secret)
        parts.append(text[pos : f.start])
        parts.append(operators.apply(op, text[f.start : f.end], f.type, secret=key))
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)


def reveal(text: str, role: str | None, *, secret: str | None = None) -> str:
    """Open the ``⟦TYPE:…⟧`` tokens of an encrypted export for a role allowed to see raw values."""
    if not has_permission(role, "pii.reveal"):
        raise PermissionDenied(f"role {role!r} may not reveal personal data (needs permission 'pii.reveal')")
    return operators.decrypt_tokens(text, _installation_secret(secret))


def reveal_raw(session: Session, actor: str, role: str | None, message_id: int, reason: str) -> str:
    """The verbatim text of a message, for an administrator, with an audit event ``pii.raw_view``.

    The audit event is added to ``session`` (flushed, not committed: the caller's
    transaction decides). It names the actor, role, message and reason and the personal-data
    types present — never the values.
    """
    from massline.db.models.message import Message
    from massline.db.repositories.audit import record_audit

    if not has_permission(role, "pii.raw_view"):
        raise PermissionDenied(f"role {role!r} may not view raw personal data (needs permission 'pii.raw_view')")
    if not reason or not reason.strip():
        raise InputError("a reason is required to view raw personal data", field="reason")
    message = session.get(Message, message_id)
    if message is None:
        raise NotFoundError(f"message {message_id} does not exist")
    raw = message.original or message.body
    record_audit(session, actor=actor, action="pii.raw_view", object_type="message", object_id=message_id,
                 detail={"role": role, "pii": pii_summary(raw)}, reason=reason.strip())
    session.flush()
    return raw
