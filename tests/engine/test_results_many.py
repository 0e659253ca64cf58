"""``save_results_many`` keeps ``save_results``' rules for a whole batch: one current row per key, no duplicates."""

from __future__ import annotations

from sqlalchemy import select
from tests.engine.conftest import add_messages

from massline.core.types import Result
from massline.db.models.message import AnalysisResult
from massline.db.session import session_scope
from massline.store.results import save_results_many


def test_batch_save_writes_changes_only_and_keeps_one_current_row(db_url: str) -> None:
    a, b = add_messages(db_url, 2)
    first = {a: [Result("c", "1", "category", "环境保护", 0.9, "r")],
             b: [Result("c", "1", "category", "交通运输", 0.8, "r")]}
    with session_scope(db_url) as session:
        assert save_results_many(session, first) == 2
    with session_scope(db_url) as session:
        assert save_results_many(session, first) == 0  # unchanged: nothing written
        assert save_results_many(session, {a: [Result("c", "2", "category", "城乡建设", 0.7, "r2")]}) == 1
    with session_scope(db_url) as session:
        rows = session.scalars(select(AnalysisResult).where(AnalysisResult.message_id == a)
                               .order_by(AnalysisResult.id)).all()
        assert [(r.value, r.current) for r in rows] == [("环境保护", False), ("城乡建设", True)]
