"""Personal information protection: the one door every outward-facing text goes through.

Public replies, public pages, feeds, exports and API responses call :func:`mask_text`
with the *output* they are producing; recognizers (:mod:`massline.privacy.recognizers`,
plugins via the ``massline.recognizers`` entry-point group) find the data and the policy
table (:mod:`massline.privacy.policy`) picks the operator, so callers never change.
"""

from __future__ import annotations

from massline.privacy.api import PIIFinding, default_analyzer, find_pii, mask_text, pii_summary, reveal, reveal_raw
from massline.privacy.base import ENTITY_TYPES, Pattern, Recognizer
from massline.privacy.registry import register_recognizer

__all__ = [
    "ENTITY_TYPES",
    "PIIFinding",
    "Pattern",
    "Recognizer",
    "default_analyzer",
    "find_pii",
    "mask_text",
    "pii_summary",
    "register_recognizer",
    "reveal",
    "reveal_raw",
]
