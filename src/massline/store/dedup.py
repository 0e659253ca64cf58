"""Exact and near duplicates, always linked to the first occurrence.

Exact: the sha256 of the cleaned body with all whitespace removed and NFKC-folded (the
same 泰迪杯 message appears in 附件2 with its whitespace stripped and in 附件3 with it).
Near: MinHash LSH (datasketch) over character 3-grams, at ``settings.near_duplicate_threshold``
estimated Jaccard — the "same complaint, a few words changed" case.

Only first occurrences (messages that are not themselves duplicates) are indexed, so a
match is always a root and chains never form. The index is seeded from the database and
kept per process, topped up with rows added since (by id), so a single web-form
submission does not re-hash the whole table.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import numpy as np
from datasketch import LeanMinHash, MinHashLSH
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from massline.db.models.message import Message

NUM_PERM = 64
SHINGLE = 3
MIN_NEAR_CHARS = 20  # shorter texts share too many shingles by chance
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


def hash_normalised(norm: str) -> str | None:
    return hashlib.sha256(norm.encode("utf-8")).hexdigest() if norm else None


def content_hash(text: str) -> str | None:
    """Hash of the normalised text; ``None`` for an empty text (nothing to compare)."""
    return hash_normalised(normalise(text))


_PRIME = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64(0xFFFFFFFF)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT61 = np.uint64(61)
_rng = np.random.RandomState(20200228)
_A = _rng.randint(1, (1 << 61) - 1, NUM_PERM, dtype=np.uint64)
_B = _rng.randint(0, (1 << 61) - 1, NUM_PERM, dtype=np.uint64)


def signature(norm: str) -> np.ndarray[Any, np.dtype[np.uint64]] | None:
    """MinHash of the character 3-grams of ``norm`` (vectorised; ``None`` when too short).

    A 3-gram of code points (each < 2**21) packs exactly into 63 bits, is mixed down to 32
    bits, then permuted ``NUM_PERM`` times as ``(a*h + b) mod p`` — datasketch's scheme,
    without a Python call per shingle. ``mod p`` (p = 2**61 - 1, a Mersenne prime) is folded
    as ``(x & p) + (x >> 61)`` and one conditional subtraction, in place: the same values as
    numpy's ``%`` (a division per element) in about 70 % of the time.
    """
    if len(norm) < MIN_NEAR_CHARS:
        return None
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    grams = (codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:]
    with np.errstate(over="ignore"):
        grams *= _MIX
        grams >>= np.uint64(32)
        x = np.multiply.outer(np.unique(grams), _A)  # wraps mod 2**64, as before
        x += _B
    folded = x & _PRIME
    x >>= _SHIFT61
    folded += x
    np.subtract(folded, _PRIME, out=folded, where=folded >= _PRIME)
    folded &= _MAX32
    return cast("np.ndarray[Any, np.dtype[np.uint64]]", folded.min(axis=0))


#: One message to link: its id, normalised text and ``content_hash`` (``None``: computed from the text).
LinkRow = tuple[int, str, str | None]


class DuplicateLinker(Protocol):
    """What intake needs of a duplicate index: link a stored batch to earlier first occurrences.

    :class:`DuplicateIndex` (this process's memory) and
    :class:`massline.store.dedup_shared.SharedDuplicateIndex` (the database, shared by all processes)
    both are one. ``link_rows`` works on plain ids and texts (bulk intake never builds ORM objects);
    ``link`` is the same on :class:`Message` objects, their duplicate columns set in place.
    """

    def link(self, messages: list[Message], norms: list[str] | None = None) -> tuple[int, int]: ...

    def link_rows(self, rows: Sequence[LinkRow]) -> list[tuple[int, Match]]: ...


def link_messages(linker: DuplicateLinker, messages: list[Message], norms: list[str] | None = None) -> tuple[int, int]:
    """``linker.link_rows`` for ORM messages: each duplicate's columns set; returns (exact, near)."""
    if norms is None:
        norms = [normalise(m.body or "") for m in messages]
    by_id = {m.id: m for m in messages}
    exact = near = 0
    for message_id, match in linker.link_rows([(m.id, n, m.content_hash) for m, n in zip(messages, norms,
                                                                                          strict=True)]):
        msg = by_id[message_id]
        msg.duplicate_of, msg.duplicate_kind, msg.similarity = match.message_id, match.kind, match.similarity
        exact += match.kind == "exact"
        near += match.kind == "near"
    return exact, near


@dataclass(slots=True)
class Match:
    message_id: int
    kind: str  # exact | near
    similarity: float


@dataclass
class DuplicateIndex:
    """First occurrences seen so far: hash → id, and an LSH over their MinHashes."""

    threshold: float
    exact: dict[str, int] = field(default_factory=dict)
    signatures: dict[int, np.ndarray[Any, np.dtype[np.uint64]]] = field(default_factory=dict)
    last_id: int = 0
    roots: int = 0

    def __post_init__(self) -> None:
        self.lsh = MinHashLSH(threshold=self.threshold, num_perm=NUM_PERM)

    def _find(self, digest: str, sig: np.ndarray[Any, np.dtype[np.uint64]] | None) -> Match | None:
        if digest in self.exact:
            return Match(self.exact[digest], "exact", 1.0)
        if sig is None:
            return None
        best: Match | None = None
        for key in self.lsh.query(LeanMinHash(seed=1, hashvalues=sig, scheme="legacy")):
            similarity = float(np.mean(sig == self.signatures[key]))
            if similarity >= self.threshold and (best is None or key < best.message_id):
                best = Match(key, "near", round(similarity, 4))
        return best

    def _add(self, message_id: int, digest: str, sig: np.ndarray[Any, np.dtype[np.uint64]] | None) -> None:
        self.roots += 1
        self.exact.setdefault(digest, message_id)
        if sig is not None and message_id not in self.signatures:
            self.signatures[message_id] = sig
            self.lsh.insert(message_id, LeanMinHash(seed=1, hashvalues=sig, scheme="legacy"))

    def find(self, text: str) -> Match | None:
        """The first occurrence ``text`` duplicates, if any."""
        norm = normalise(text)
        if not norm:
            return None
        return self._find(hashlib.sha256(norm.encode("utf-8")).hexdigest(), signature(norm))

    def add(self, message_id: int, text: str, digest: str | None = None) -> None:
        """Index ``text`` as the first occurrence ``message_id``."""
        self.last_id = max(self.last_id, message_id)
        norm = normalise(text)
        if norm:
            self._add(message_id, digest or hashlib.sha256(norm.encode("utf-8")).hexdigest(), signature(norm))

    def top_up(self, session: Session) -> None:
        """Index first occurrences stored since the last look (by other processes too)."""
        rows = session.execute(
            select(Message.id, Message.body, Message.content_hash)
            .where(Message.id > self.last_id, Message.duplicate_of.is_(None), Message.content_hash.is_not(None))
            .order_by(Message.id)
            .execution_options(yield_per=2000)
        )
        for mid, body, digest in rows:
            self.add(mid, body, digest)
        top = session.scalar(select(func.max(Message.id)))
        self.last_id = max(self.last_id, top or 0)

    def link(self, messages: list[Message], norms: list[str] | None = None) -> tuple[int, int]:
        """Mark each message (in id order) as a duplicate of an earlier root, or index it as a root.

        Returns (exact, near) counts. A message is never linked to itself.
        """
        return link_messages(self, messages, norms)

    def link_rows(self, rows: Sequence[LinkRow]) -> list[tuple[int, Match]]:
        """:meth:`link` on plain rows: the (id, match) of each duplicate, in id order."""
        out: list[tuple[int, Match]] = []
        for message_id, norm, known in sorted(rows, key=lambda r: r[0]):
            self.last_id = max(self.last_id, message_id)
            if not norm:
                continue
            digest = known or hashlib.sha256(norm.encode("utf-8")).hexdigest()
            sig = signature(norm)
            match = self._find(digest, sig)
            if match is not None and match.message_id != message_id:
                out.append((message_id, match))
            else:
                self._add(message_id, digest, sig)
        return out


_CACHE: dict[tuple[str, float], DuplicateIndex] = {}
_LOCK = threading.Lock()


def duplicate_index(session: Session, url: str, threshold: float) -> DuplicateIndex:
    """The per-process index for database ``url``, brought up to date with ``session``.

    Rebuilt from scratch when the table no longer matches what was indexed (rows deleted,
    database recreated), so a stale cache can never point at a message that is gone.
    """
    with _LOCK:
        index = _CACHE.get((url, threshold))
        if index is not None:
            stored_roots = session.scalar(
                select(func.count(Message.id)).where(
                    Message.id <= index.last_id,
                    Message.duplicate_of.is_(None),
                    Message.content_hash.is_not(None),
                )
            )
            top = session.scalar(select(func.max(Message.id))) or 0
            if stored_roots != index.roots or top < index.last_id:
                index = None
        if index is None:
            index = DuplicateIndex(threshold)
            _CACHE[(url, threshold)] = index
        index.top_up(session)
        return index


def forget(url: str) -> None:
    """Drop the cached index of ``url`` (after bulk deletes, or when a transaction rolled back)."""
    with _LOCK:
        for key in [k for k in _CACHE if k[0] == url]:
            del _CACHE[key]
