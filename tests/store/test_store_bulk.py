"""Bulk intake's duplicate linker on plain ids: bounded caches, no needless queries, the same MinHash."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from massline.core.types import Doc
from massline.db.models.intake import Source
from massline.db.models.message import Message
from massline.store import dedup
from massline.store.dedup import normalise, signature
from massline.store.dedup_shared import SharedDuplicateIndex
from massline.store.messages import Pending, insert_messages, save_messages

BASE = ("尊敬的领导：我是幸福小区的业主，小区东门外的污水管道破裂已经两个多星期了，污水横流，臭气熏天，"
        "居民出行非常不便，多次向物业反映都没有解决，恳请有关部门尽快派人维修。")


def _text(n: int) -> str:
    return f"第{n}号意见：{BASE[n % 7:]}编号{n * 7919}。"


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    """Every SQL statement ``session`` sends while inside the block."""
    sent: list[str] = []
    engine = session.get_bind().engine

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _pending(session: Session, texts: list[str]) -> list[Pending]:
    source = session.scalars(select(Source).where(Source.name == "bulk")).first()
    if source is None:
        source = Source(name="bulk", kind="file")
        session.add(source)
        session.flush()
    return [Pending(Doc(text=t, original=t), source.id, None) for t in texts]


def _old_signature(norm: str) -> Any:
    """The MinHash as it was computed before the Mersenne fold (numpy ``%``)."""
    if len(norm) < dedup.MIN_NEAR_CHARS:
        return None
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    grams = (codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:]
    with np.errstate(over="ignore"):
        h = np.unique((grams * dedup._MIX) >> np.uint64(32))
        permuted = ((h[:, None] * dedup._A[None, :] + dedup._B[None, :]) % dedup._PRIME) & dedup._MAX32
    return permuted.min(axis=0)


def test_the_folded_minhash_equals_the_modulo_one() -> None:
    rng = random.Random(5)
    alphabet = [chr(c) for c in (*range(32, 127), *range(0x4E00, 0x4E80), *range(0x1F600, 0x1F640))]
    for _ in range(300):
        norm = "".join(rng.choice(alphabet) for _ in range(rng.randint(15, 400)))
        new, old = signature(norm), _old_signature(norm)
        assert (new is None and old is None) or (new is not None and np.array_equal(new, old))
    assert signature(normalise(BASE)) is not None


def test_the_fingerprint_and_signature_caches_stay_bounded(session: Session,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    assert SharedDuplicateIndex.cache_size <= 32_768
    monkeypatch.setattr(SharedDuplicateIndex, "cache_size", 8)
    index = SharedDuplicateIndex(session, 0.8)
    for start in range(0, 40, 10):
        insert_messages(session, _pending(session, [_text(n) for n in range(start, start + 10)]), index)
        assert len(index.fingerprints) <= 8 and len(index.sig_cache) <= 8
    assert len(index.fingerprints) == 8  # the last roots are the ones kept


def test_a_repeat_of_a_cached_root_is_linked_without_a_query(session: Session) -> None:
    index = SharedDuplicateIndex(session, 0.8)
    first, _, _ = insert_messages(session, _pending(session, [_text(1), _text(2)]), index)
    with _statements(session) as sent:
        ids, exact, near = insert_messages(session, _pending(session, [_text(2), _text(1)]), index)
    assert (exact, near) == (2, 0)
    assert not [s for s in sent if "content_hash" in s and s.lstrip().upper().startswith("SELECT")]
    links = dict(session.execute(select(Message.id, Message.duplicate_of).where(Message.id.in_(ids))).all())
    assert links == {ids[0]: first[1], ids[1]: first[0]}


def test_no_statement_carries_an_empty_in(session: Session) -> None:
    index = SharedDuplicateIndex(session, 0.8)
    with _statements(session) as sent:
        insert_messages(session, _pending(session, ["短", "路灯坏了"]), index)  # no signature, no candidates
        insert_messages(session, _pending(session, [_text(3)]), index)
        insert_messages(session, _pending(session, [_text(3)]), index)  # cached: no look-up at all
    assert index.link_rows([]) == []
    empty = [s for s in sent if "IN ()" in s.upper() or "1 != 1" in s or "1!=1" in s]
    assert not empty, empty


def test_bulk_and_orm_saves_write_the_same_rows(session: Session) -> None:
    texts = [_text(n) for n in range(6)] + [_text(2), BASE, BASE.replace("两个多星期", "三个多星期"), "路灯坏了"]

    def rows(ids: list[int]) -> list[tuple[Any, ...]]:
        base = ids[0]
        out = []
        for m in session.scalars(select(Message).where(Message.id.in_(ids)).order_by(Message.id)):
            out.append((m.id - base, m.body, m.original, m.language, m.content_hash, m.flags, m.meta, m.status,
                        None if m.duplicate_of is None else m.duplicate_of - base, m.duplicate_kind, m.similarity))
        return out

    def batch() -> list[Pending]:
        pending = _pending(session, texts)
        for p in pending:
            p.doc.language = "zh"
        return pending

    batch()  # the source, outside the savepoint
    nested = session.begin_nested()
    orm, orm_exact, orm_near = save_messages(session, batch(), SharedDuplicateIndex(session, 0.8))
    session.flush()
    expected = rows([m.id for m in orm])
    nested.rollback()
    bulk, exact, near = insert_messages(session, batch(), SharedDuplicateIndex(session, 0.8))
    assert (exact, near) == (orm_exact, orm_near) and exact >= 1 and near >= 1
    assert rows(bulk) == expected
