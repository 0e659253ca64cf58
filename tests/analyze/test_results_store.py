"""Results are stored as versioned rows; a newer version of a key retires the old row but keeps it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.types import Result
from massline.db.models import AnalysisResult
from massline.store.results import current_results, current_results_many, save_results


def test_when_results_saved_then_they_are_current(session: Session, add_messages: Any) -> None:
    (mid,) = add_messages(session, [("t", "b")])
    save_results(session, mid, [Result("c", "1", "category", "城乡建设", 0.9, "why"),
                                Result("u", "1", "urgency", "high", 0.7, "危险")])
    session.commit()
    cur = current_results(session, mid)
    assert cur["category"].value == "城乡建设"
    assert cur["category"].version == "1"
    assert cur["urgency"].reason == "危险"


def test_when_new_version_writes_a_key_then_old_row_is_kept_not_current(session: Session, add_messages: Any) -> None:
    (mid,) = add_messages(session, [("t", "b")])
    save_results(session, mid, [Result("c", "1", "category", "城乡建设", 0.9)])
    save_results(session, mid, [Result("c", "2", "category", "环境保护", 0.8)])
    session.commit()
    rows = session.scalars(select(AnalysisResult).order_by(AnalysisResult.id)).all()
    assert [(r.version, r.current) for r in rows] == [("1", False), ("2", True)]
    assert current_results(session, mid)["category"].value == "环境保护"


def test_when_same_result_saved_twice_then_no_new_row_unless_new_run(session: Session, add_messages: Any) -> None:
    (mid,) = add_messages(session, [("t", "b")])
    r = Result("c", "1", "places", [{"name": "A2区", "start": 0}], 1.0, "pattern")
    assert len(save_results(session, mid, [r])) == 1
    assert save_results(session, mid, [r]) == []
    assert len(save_results(session, mid, [r], run_id="run-2")) == 1
    session.commit()
    assert len(session.scalars(select(AnalysisResult)).all()) == 2
    assert current_results_many(session, [mid])[mid]["places"].value == [{"name": "A2区", "start": 0}]
