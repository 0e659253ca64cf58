"""The functions the web form and Open311 call: one request → raw → cleaned → Message."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from massline.core.config import Settings
from massline.core.errors import InputError
from massline.db.models.intake import RawItem
from massline.db.models.message import Message
from massline.db.session import get_sessionmaker
from massline.ingest.service import ingest_records, ingest_text

TEXT = "幸福路和建设路交叉口的红绿灯坏了三天了，早晚高峰特别拥堵，请交警部门尽快修好。"


def test_when_the_same_words_are_sent_twice_then_both_are_kept_and_the_second_is_a_duplicate(
    settings: Settings,
) -> None:
    first = ingest_text(settings, TEXT, title="红绿灯坏了", author="张三", meta={"channel": "web"})
    second = ingest_text(settings, TEXT, author="李四")

    assert first.id != second.id
    assert (second.duplicate_of, second.duplicate_kind, second.similarity) == (first.id, "exact", 1.0)
    assert first.duplicate_of is None
    assert first.title == "红绿灯坏了" and first.meta["channel"] == "web" and first.language == "zh"
    assert first.author_ref and first.author_ref != second.author_ref and "张三" not in first.author_ref
    with get_sessionmaker(settings.resolved_database_url())() as s:
        assert s.scalar(select(func.count()).select_from(RawItem)) == 2
        stored = s.get(Message, first.id)
        assert stored is not None and stored.original == TEXT and stored.raw_item_id is not None


def test_when_the_text_is_empty_then_an_input_error_names_the_field(settings: Settings) -> None:
    with pytest.raises(InputError) as err:
        ingest_text(settings, "   ")
    assert err.value.field == "text"


def test_when_records_come_from_an_api_then_they_are_mapped_like_rows(settings: Settings) -> None:
    session = get_sessionmaker(settings.resolved_database_url())()
    try:
        report = ingest_records(
            settings,
            [{"description": TEXT, "service_request_id": "r1"}, {"description": ""}],
            source_name="open311", mapping={"service_request_id": "external_id"}, session=session,
        )
        session.commit()
    finally:
        session.close()

    assert (report.new, report.quarantined) == (1, 1)
    assert report.problems[0].locator == "record 2"
    with get_sessionmaker(settings.resolved_database_url())() as s:
        msg = s.get(Message, report.message_ids[0])
        assert msg is not None and msg.external_id == "r1"
