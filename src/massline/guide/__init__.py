"""The guide pillar (引导群众): topics over time, hot issues with a heat index, bursts, risk and incidents.

Floors (imports flow downwards only): ``corpus`` (messages as plain records) → ``text`` (words,
places and entity keys) → ``issues`` / ``topics`` / ``bursts`` / ``risk`` / ``heat`` (computations
on records, no database) → ``hot`` / ``evaluate`` / ``inject`` (orchestration) → ``store`` and
``incidents`` (database) → CLI and pages.
"""
