"""The database-backed near-duplicate index (what intake uses) decides exactly like the per-process one."""

from __future__ import annotations

from sqlalchemy import delete, select

from massline.core.config import Settings
from massline.db.models.engine import LshBand
from massline.db.models.message import Message
from massline.db.session import session_scope
from massline.ingest.samples import sample_paths
from massline.ingest.service import ingest_paths
from massline.store.dedup import DuplicateIndex
from massline.store.dedup_shared import SharedDuplicateIndex


def _links(url: str) -> dict[int, tuple[int | None, str | None, float | None]]:
    with session_scope(url) as session:
        return {m.id: (m.duplicate_of, m.duplicate_kind, m.similarity)
                for m in session.scalars(select(Message).order_by(Message.id))}


def test_shared_index_links_the_same_duplicates_as_the_in_memory_one(settings: Settings) -> None:
    url = settings.resolved_database_url()
    ingest_paths(settings, sample_paths())  # linked through lsh_bands by intake
    shared = _links(url)
    assert sum(1 for v in shared.values() if v[1] == "near") >= 1, "the samples should hold near duplicates"
    with session_scope(url) as session:  # today's per-process index, over the same messages in the same order
        for m in session.scalars(select(Message)):
            m.duplicate_of = m.duplicate_kind = m.similarity = None
        session.flush()
        memory = DuplicateIndex(settings.near_duplicate_threshold)
        ids = list(session.scalars(select(Message.id).order_by(Message.id)))
        for start in range(0, len(ids), 40):
            memory.link(list(session.scalars(select(Message).where(Message.id.in_(ids[start : start + 40])))))
            session.flush()
    assert _links(url) == shared
    with session_scope(url) as session:  # roots stored before the table existed are indexed once
        session.execute(delete(LshBand))
        SharedDuplicateIndex.complete.clear()  # as a process started after the upgrade finds them
        index = SharedDuplicateIndex(session, settings.near_duplicate_threshold)
        assert index.backfill() > 0 and index.backfill() == 0
