"""``analyze_messages`` runs the whole pipeline on stored messages and keeps old results traceable."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.analyze.components import ANALYZE_PIPELINE
from massline.analyze.run import analyze_messages
from massline.core.config import Settings
from massline.core.errors import ModelNotTrainedError
from massline.db.models import AnalysisResult, Message
from massline.store.results import current_results

#: The keys the export reads.
EXPORT_KEYS = {"category", "department", "route", "request_type", "urgency", "sentiment", "places"}


def _configs(model: Any) -> dict[str, dict[str, Any]]:
    return {"analyze.category": {"model": model}}


def test_when_pipeline_listed_then_it_has_every_component_in_order() -> None:
    assert ANALYZE_PIPELINE == ("analyze.segment", "analyze.category", "analyze.request_type", "analyze.urgency",
                                "analyze.sentiment", "analyze.places", "analyze.pii", "analyze.claims",
                                "analyze.route")


def test_when_messages_analysed_then_every_export_key_is_stored_with_its_version(
    settings: Settings, session: Session, add_messages: Any, fake_model: Any
) -> None:
    ids = add_messages(session)
    summary = analyze_messages(settings, configs=_configs(fake_model), batch_size=3)
    assert summary.messages == len(ids)
    assert summary.queues == {"auto": 3, "triage": 1}  # 物业 is unsure (0.55 < 0.80)
    cur = current_results(session, ids[0])
    assert EXPORT_KEYS <= set(cur)
    assert all(row.version for row in cur.values())
    assert cur["category"].value == "环境保护" and cur["category"].version == "1/fake-1"
    assert cur["department"].value == "sthjj"
    assert cur["route"].value == {"department": "sthjj", "queue": "auto", "category": "环境保护"}
    assert {p["name"] for p in cur["places"].value} >= {"A2区", "泉塘街道", "万家丽北路"}
    assert cur["district"].value == "A2区"
    assert session.get(Message, ids[0]).meta["district"] == "A2区"  # type: ignore[union-attr]
    unsure = current_results(session, ids[3])
    assert unsure["route"].value["queue"] == "triage" and unsure["department"].value is None
    assert "低于阈值" in unsure["route"].reason and "住房和城乡建设局" in unsure["route"].reason  # Chinese, by name


def test_when_rerun_after_retraining_then_new_rows_are_current_and_old_ones_kept(
    settings: Settings, session: Session, add_messages: Any, fake_model: Any
) -> None:
    (mid,) = add_messages(session, [("噪音扰民", "工地噪音太大")])
    analyze_messages(settings, configs=_configs(fake_model))
    again = analyze_messages(settings, configs=_configs(fake_model))  # only new: nothing to do
    assert again.messages == 0
    same = analyze_messages(settings, only_new=False, configs=_configs(fake_model))
    assert same.messages == 1 and same.written == 0  # unchanged results are not duplicated
    retrained = type(fake_model)(version="fake-2")
    analyze_messages(settings, only_new=False, configs=_configs(retrained))
    session.expire_all()
    rows = session.scalars(select(AnalysisResult).where(AnalysisResult.message_id == mid,
                                                        AnalysisResult.key == "category")
                           .order_by(AnalysisResult.id)).all()
    assert [(r.version, r.current) for r in rows] == [("1/fake-1", False), ("1/fake-2", True)]


def test_when_no_model_is_trained_then_error_says_to_train(
    settings: Settings, session: Session, add_messages: Any
) -> None:
    add_messages(session, [("t", "b")])
    with pytest.raises(ModelNotTrainedError, match="massline train classify"):
        analyze_messages(settings)
    assert session.scalars(select(AnalysisResult)).all() == []


def test_when_intake_already_wrote_other_results_then_message_still_counts_as_new(
    settings: Settings, session: Session, add_messages: Any, fake_model: Any
) -> None:
    from massline.core.types import Result
    from massline.store.results import save_results

    (mid,) = add_messages(session, [("噪音", "工地噪音")])
    save_results(session, mid, [Result("clean.language", "1", "language", "zh", 0.99)])
    session.commit()
    assert analyze_messages(settings, configs=_configs(fake_model)).messages == 1
    assert analyze_messages(settings, configs=_configs(fake_model)).messages == 0
