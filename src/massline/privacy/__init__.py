"""Personal information protection: the one door every outward-facing text goes through.

Public replies, public pages, feeds, exports and API responses call :func:`mask_text`
with the *output* they are producing; the PII issue fills in recognizers and operators
behind this stable surface, so callers never change.
"""

from __future__ import annotations

from massline.privacy.api import PIIFinding, find_pii, mask_text

__all__ = ["PIIFinding", "find_pii", "mask_text"]
