"""The schema migrates up and down on both backends, and a message round-trips."""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from massline.db.models import Message, Source
from massline.db.session import downgrade, get_engine, upgrade


def test_when_migrated_then_foundation_tables_exist(db_url: str) -> None:
    tables = set(inspect(get_engine(db_url)).get_table_names())
    assert {"sources", "raw_items", "messages", "analysis_results", "quarantine", "audit_events"} <= tables


def test_when_message_stored_then_chinese_text_round_trips(session: Session) -> None:
    src = Source(name="t", kind="file")
    session.add(src)
    session.flush()
    session.add(Message(source_id=src.id, body="走好网上群众路线", original="走好網上群眾路線", flags=[{"kind": "x"}]))
    session.commit()
    msg = session.scalars(select(Message)).one()
    assert msg.original == "走好網上群眾路線"
    assert msg.flags == [{"kind": "x"}]


def test_when_downgraded_and_upgraded_then_schema_is_back(sqlite_url: str) -> None:
    downgrade(sqlite_url)
    assert "messages" not in inspect(get_engine(sqlite_url)).get_table_names()
    upgrade(sqlite_url)
    assert "messages" in inspect(get_engine(sqlite_url)).get_table_names()
