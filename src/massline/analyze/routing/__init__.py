"""Routing a categorised message to a department, the triage queue, and dispatcher feedback.

- ``table``: the category → department rules (YAML default, database copy, audited edits).
- ``component``: the ``analyze.route`` pipeline component (auto route or triage by confidence).
- ``triage``: the dispatcher's queue and decisions.
- ``feedback``: dispatcher-confirmed labels as training examples.
"""
