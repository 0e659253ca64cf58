"""Turning a Doc's results into ``analysis_results`` rows, keeping the history traceable.

Why rows are never updated in place: a category decided by model v3 must stay explainable
after model v4 (or a dispatcher) changes it. So a new result for a key adds a row and flips
the older CURRENT row of that key to ``current=False``; nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from massline.core.errors import InputError
from massline.core.types import Result
from massline.db.models.message import AnalysisResult


def _json_safe(value: Any) -> Any:
    """Numpy scalars and tuples are not JSON; convert them so every backend stores the same thing."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return value.item()
    return value


def save_results(
    session: Session, message_id: int, results: Iterable[Result], run_id: str | None = None
) -> list[AnalysisResult]:
    """Store ``results`` for one message as the current rows of their keys.

    An older current row of the same key is kept but marked ``current=False``. Without
    ``run_id``, writing the very same component, version, value, confidence and reason again
    is a no-op, so re-running an unchanged pipeline does not bloat the table. With a
    ``run_id`` (an explicit new run, e.g. ``massline analyze --all``), a new row is written
    even when nothing changed, so the run is visible in the history (its ``created_at``).
    """
    results = list(results)
    keys = {r.key for r in results}
    if not keys:
        return []
    for r in results:
        if not r.key:
            raise InputError("a result has an empty key", field="key", locator=f"message {message_id}")
    existing = session.scalars(
        select(AnalysisResult).where(
            AnalysisResult.message_id == message_id,
            AnalysisResult.key.in_(keys),
            AnalysisResult.current.is_(True),
        )
    ).all()
    by_key = {row.key: row for row in existing}
    written: list[AnalysisResult] = []
    for r in results:
        value = _json_safe(r.value)
        confidence = None if r.confidence is None else float(r.confidence)
        old = by_key.get(r.key)
        if (
            run_id is None
            and old is not None
            and old.component == r.component
            and old.version == r.version
            and old.value == value
            and old.confidence == confidence
            and old.reason == r.reason
        ):
            continue
        if old is not None:
            old.current = False
        row = AnalysisResult(
            message_id=message_id,
            component=r.component,
            version=r.version,
            key=r.key,
            value=value,
            confidence=confidence,
            reason=r.reason,
            current=True,
        )
        session.add(row)
        by_key[r.key] = row
        written.append(row)
    session.flush()
    return written


def save_results_many(session: Session, results_by_message: Mapping[int, Iterable[Result]]) -> int:
    """:func:`save_results` (without ``run_id``) for a whole batch: one query for the current rows,
    one bulk update of the replaced ones, one bulk insert; the number of rows written.

    Why: ``massline analyze`` spent about as long saving as analysing when every message asked
    for its current rows and inserted ORM objects one by one.
    """
    batch = {mid: list(results) for mid, results in results_by_message.items()}
    keys = {r.key for results in batch.values() for r in results}
    for mid, results in batch.items():
        for r in results:
            if not r.key:
                raise InputError("a result has an empty key", field="key", locator=f"message {mid}")
    if not keys:
        return 0
    current = {(row.message_id, row.key): row for row in session.execute(
        select(AnalysisResult.id, AnalysisResult.message_id, AnalysisResult.key, AnalysisResult.component,
               AnalysisResult.version, AnalysisResult.value, AnalysisResult.confidence, AnalysisResult.reason)
        .where(AnalysisResult.message_id.in_(list(batch)), AnalysisResult.key.in_(keys),
               AnalysisResult.current.is_(True)))}
    replaced: list[int] = []
    rows: list[dict[str, Any]] = []
    for mid, results in batch.items():
        latest: dict[str, dict[str, Any]] = {}
        for r in results:
            value = _json_safe(r.value)
            confidence = None if r.confidence is None else float(r.confidence)
            new = {"message_id": mid, "component": r.component, "version": r.version, "key": r.key, "value": value,
                   "confidence": confidence, "reason": r.reason, "current": True}
            if r.key in latest:  # the same key twice in one batch: the later one wins, as in save_results
                latest[r.key]["current"] = False
            else:
                old = current.get((mid, r.key))
                if old is not None and (old.component, old.version, old.value, old.confidence, old.reason) == (
                        r.component, r.version, value, confidence, r.reason):
                    continue
                if old is not None:
                    replaced.append(old.id)
            latest[r.key] = new
            rows.append(new)
    if replaced:
        session.execute(update(AnalysisResult).where(AnalysisResult.id.in_(replaced)).values(current=False)
                        .execution_options(synchronize_session=False))
    if rows:
        # A Core insert of the table (the same rows, column defaults and JSON encoding): the ORM's bulk
        # insert spent more time preparing the batch's rows than the database took to write them.
        session.execute(insert(cast(Table, AnalysisResult.__table__)), rows)
    return len(rows)


def current_results(session: Session, message_id: int) -> dict[str, AnalysisResult]:
    """The current row of every key for one message (e.g. ``["category"].value``)."""
    rows = session.scalars(
        select(AnalysisResult).where(AnalysisResult.message_id == message_id, AnalysisResult.current.is_(True))
    ).all()
    return {row.key: row for row in rows}


def current_results_many(session: Session, message_ids: Iterable[int]) -> dict[int, dict[str, AnalysisResult]]:
    """Like :func:`current_results` for many messages in one query (exports, lists)."""
    ids = list(message_ids)
    out: dict[int, dict[str, AnalysisResult]] = {i: {} for i in ids}
    if not ids:
        return out
    rows = session.scalars(
        select(AnalysisResult).where(AnalysisResult.message_id.in_(ids), AnalysisResult.current.is_(True))
    ).all()
    for row in rows:
        out[row.message_id][row.key] = row
    return out


def retire_key(session: Session, message_id: int, key: str) -> None:
    """Mark the current row of ``key`` not current (used when a result no longer applies)."""
    session.execute(
        update(AnalysisResult)
        .where(AnalysisResult.message_id == message_id, AnalysisResult.key == key, AnalysisResult.current.is_(True))
        .values(current=False)
    )
