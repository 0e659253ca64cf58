"""Background work: a durable task ledger in the database, run by Celery workers or in-process.

Why two modes behind one interface: a city deployment runs N web processes and M workers with
RabbitMQ between them (``MASSLINE_BROKER_URL``), while ``make demo`` and the tests must work on
one machine with nothing but SQLite. Both modes run the *same* task functions
(:mod:`massline.engine.tasks`), keyed by message ids and component versions, through the same
wrapper (:func:`massline.engine.runner.run_task`), and both record every task in the
``engine_tasks`` ledger first — so status, retries and dead letters look the same everywhere.

Public API: :func:`submit`, :func:`submit_chunks`, :func:`wait`, :func:`status`,
:func:`readiness` (see :mod:`massline.engine.client`, :mod:`massline.engine.status`).
"""

from massline.engine.client import submit, submit_chunks, wait
from massline.engine.status import readiness, status

__all__ = ["readiness", "status", "submit", "submit_chunks", "wait"]
