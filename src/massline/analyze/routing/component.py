"""``analyze.route``: send a categorised message to its department, or to triage when unsure.

The component never reads the database (components are pure): the caller passes the rules
in force (``analyze_messages`` reads them from ``routing_rules``); without them, the shipped
YAML rules are used. Two results are written: ``route`` (``{"department", "queue",
"category"}``) and ``department`` (the code alone, or ``None`` in triage), which is what
exports and work orders read.
"""

from __future__ import annotations

from collections.abc import Mapping

from massline.analyze.routing.table import load_config
from massline.core.types import Doc, Result
from massline.pipeline.registry import registry

NAME = "analyze.route"
VERSION = "1"
AUTO = "auto"
TRIAGE = "triage"


def route_results(category: Result | None, rules: Mapping[str, str], threshold: float) -> list[Result]:
    """The ``route`` and ``department`` results for one message's category result."""
    if category is None or category.value is None:
        value = {"department": None, "queue": TRIAGE, "category": None}
        reason = "no category result"
        confidence = None
    else:
        label = str(category.value)
        confidence = category.confidence
        department = rules.get(label)
        if department is None:
            value = {"department": None, "queue": TRIAGE, "category": label}
            reason = f"no routing rule for category {label!r}"
        elif confidence is not None and confidence >= threshold:
            value = {"department": department, "queue": AUTO, "category": label}
            reason = f"{label} → {department}: confidence {confidence:.3f} ≥ threshold {threshold:.2f}"
        else:
            value = {"department": None, "queue": TRIAGE, "category": label}
            shown = "none" if confidence is None else f"{confidence:.3f}"
            reason = f"confidence {shown} < threshold {threshold:.2f}; rule would be {label} → {department}"
    return [
        Result(NAME, VERSION, "route", value, confidence, reason),
        Result(NAME, VERSION, "department", value["department"], confidence, reason),
    ]


@registry.register(NAME, version=VERSION, stage="analyze", requires=("results.category",),
                   assigns=("results.route", "results.department"))
class Route:
    """Category → department by the routing table when confident enough, else the triage queue."""

    name = NAME
    version = VERSION

    def __init__(self, rules: Mapping[str, str] | None = None, threshold: float | None = None) -> None:
        if threshold is None:
            from massline.core.config import get_settings

            threshold = get_settings().route_threshold
        self.rules = dict(rules) if rules is not None else load_config().rules
        self.threshold = float(threshold)

    def __call__(self, doc: Doc) -> Doc:
        for result in route_results(doc.result("category"), self.rules, self.threshold):
            doc.add_result(result)
        return doc
