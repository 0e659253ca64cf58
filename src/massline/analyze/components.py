"""Registers the built-in analysis components (import side effect, one registration site).

``ANALYZE_PIPELINE`` is the order ``massline analyze`` runs them in: segmentation first (the
tokens are shared), the classifier, the rule-based components, places, personal data (types and counts only, never
values: ``massline.privacy``), claim matching against the evidence base
(``massline.claims``), and routing last
because it reads the category result.
"""

from __future__ import annotations

from massline.analyze import category, places, request_type, segment, sentiment, urgency  # noqa: F401
from massline.analyze.routing import component  # noqa: F401
from massline.claims import component as _claims  # noqa: F401

ANALYZE_PIPELINE: tuple[str, ...] = (
    "analyze.segment",
    "analyze.category",
    "analyze.request_type",
    "analyze.urgency",
    "analyze.sentiment",
    "analyze.places",
    "analyze.pii",
    "analyze.claims",
    "analyze.route",
)
