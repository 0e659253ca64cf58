"""Routing a categorised message to a department, the triage queue, and dispatcher feedback.

- ``table``: the category → department rules (YAML default, database copy, audited edits).
- ``component``: the ``analyze.route`` pipeline component (auto route or triage by confidence).
- ``triage``: the dispatcher's queue and decisions.
- ``feedback``: dispatcher-confirmed labels as training examples.
"""

from massline.analyze.routing.feedback import confirmed_examples
from massline.analyze.routing.table import current_rules, load_config, set_rule, show_rules
from massline.analyze.routing.triage import current_route, decide, triage_count, triage_queue

__all__ = [
    "confirmed_examples",
    "current_route",
    "current_rules",
    "decide",
    "load_config",
    "set_rule",
    "show_rules",
    "triage_count",
    "triage_queue",
]
