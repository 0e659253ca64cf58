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
VERSION = "2"  # 2: reasons in Chinese with department names
AUTO = "auto"
TRIAGE = "triage"


def route_results(category: Result | None, rules: Mapping[str, str], threshold: float,
                  names: Mapping[str, str] | None = None) -> list[Result]:
    """The ``route`` and ``department`` results for one message's category result.

    Codes stay in the machine fields (``value``); the reason is for people, so it is Chinese and
    names the department (``names``: code → name; the code itself when unknown).
    """
    names = names or {}
    if category is None or category.value is None:
        value = {"department": None, "queue": TRIAGE, "category": None}
        reason = "没有分类结果，请人工分拨"
        confidence = None
    else:
        label = str(category.value)
        confidence = category.confidence
        department = rules.get(label)
        if department is None:
            value = {"department": None, "queue": TRIAGE, "category": label}
            reason = f"类别“{label}”没有分拨规则，请人工分拨"
        elif confidence is not None and confidence >= threshold:
            value = {"department": department, "queue": AUTO, "category": label}
            reason = f"{label} → {names.get(department, department)}：置信度 {confidence:.3f} ≥ 阈值 {threshold:.3f}"
        else:
            value = {"department": None, "queue": TRIAGE, "category": label}
            shown = "无" if confidence is None else f"{confidence:.3f}"
            reason = (f"置信度 {shown} 低于阈值 {threshold:.3f}；规则建议：{label} → "
                      f"{names.get(department, department)}")
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

    def __init__(self, rules: Mapping[str, str] | None = None, threshold: float | None = None,
                 names: Mapping[str, str] | None = None) -> None:
        if threshold is None:
            from massline.core.config import get_settings

            threshold = get_settings().route_threshold
        config = load_config() if rules is None or names is None else None
        self.rules = dict(rules) if rules is not None else config.rules  # type: ignore[union-attr]
        self.names = dict(names) if names is not None else {
            code: dep.name for code, dep in config.departments.items()}  # type: ignore[union-attr]
        self.threshold = float(threshold)

    def __call__(self, doc: Doc) -> Doc:
        for result in route_results(doc.result("category"), self.rules, self.threshold, self.names):
            doc.add_result(result)
        return doc
