"""The database-backed near-duplicate index decides exactly like the per-process one on the shipped samples."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from massline.core.config import Settings
from massline.db.models.engine import LshBand
from massline.db.models.message import Message
from massline.db.session import session_scope
from massline.ingest.samples import sample_paths
from massline.ingest.service import ingest_paths
from massline.store.dedup_shared import SharedDuplicateIndex


def test_shared_index_links_the_same_duplicates_as_the_in_memory_one(settings: Settings) -> None:
    url = settings.resolved_database_url()
    ingest_paths(settings, sample_paths())  # linked by today's in-memory index
    with session_scope(url) as session:
        expected = {m.id: (m.duplicate_of, m.duplicate_kind, m.similarity)
                    for m in session.scalars(select(Message).order_by(Message.id))}
        assert sum(1 for v in expected.values() if v[1] == "near") >= 1, "the samples should hold near duplicates"
        index = SharedDuplicateIndex(session, settings.near_duplicate_threshold)
        assert index.backfill() > 0 and index.backfill() == 0  # roots stored before the table: indexed once
        session.execute(delete(LshBand))
        for m in session.scalars(select(Message)):
            m.duplicate_of = m.duplicate_kind = m.similarity = None
    with session_scope(url) as session:  # relink everything through the database, batch by batch
        index = SharedDuplicateIndex(session, settings.near_duplicate_threshold)
        ids = list(session.scalars(select(Message.id).order_by(Message.id)))
        for start in range(0, len(ids), 40):
            batch = list(session.scalars(select(Message).where(Message.id.in_(ids[start : start + 40]))))
            index.link(batch)
            session.flush()
    with session_scope(url) as session:
        got = {m.id: (m.duplicate_of, m.duplicate_kind, m.similarity)
               for m in session.scalars(select(Message).order_by(Message.id))}
        roots_with_bands = session.scalar(select(func.count(func.distinct(LshBand.message_id))))
    assert got == expected
    assert roots_with_bands and roots_with_bands <= sum(1 for v in got.values() if v[0] is None)

