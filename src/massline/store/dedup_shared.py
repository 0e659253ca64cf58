"""The near-duplicate index in the database, shared by every process (web, workers, CLI).

Why: :class:`massline.store.dedup.DuplicateIndex` lives in one process's memory, so two web
processes (or a worker and the web app) could each miss a duplicate the other just stored, and
every process paid for seeding its own copy. Here a first occurrence's LSH band hashes are rows
of ``lsh_bands`` (indexed on ``(band, hash)``): a batch asks the database for the candidates of
all its messages in one query, so every process sees every root the moment it is committed.

Same decisions as the in-memory index (a test compares them on the shipped samples): exact =
same normalised-text hash (``messages.content_hash``); near = MinHash over character 3-grams
(:func:`massline.store.dedup.signature`), LSH with datasketch's banding for the threshold
(5 bands × 11 rows at 0.8, 64 permutations), a candidate counts when the estimated Jaccard is at
least the threshold, and the lowest message id wins; only roots are indexed.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, ClassVar, TypeVar

import numpy as np
from datasketch import MinHashLSH
from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.orm import Session

from massline.db.models.engine import LshBand
from massline.db.models.message import Message
from massline.store.dedup import NUM_PERM, LinkRow, Match, hash_normalised, link_messages, normalise, signature

K = TypeVar("K")
V = TypeVar("V")

Signature = np.ndarray[Any, np.dtype[np.uint64]]


@lru_cache(maxsize=8)
def band_ranges(threshold: float) -> tuple[tuple[int, int], ...]:
    """datasketch's (start, end) permutation ranges of each band for ``threshold``. Computed once per
    threshold: datasketch finds them by numerical integration (~18 ms of CPU), which every intake
    request paid when an index was built per request."""
    return tuple(MinHashLSH(threshold=threshold, num_perm=NUM_PERM).hashranges)


def band_hashes(sig: Signature, ranges: Sequence[tuple[int, int]]) -> list[int]:
    """One signed 63-bit hash per band (equal bands give equal hashes; a rare collision only adds a
    candidate, which the similarity check then drops)."""
    out = []
    for start, end in ranges:
        digest = hashlib.blake2b(sig[start:end].astype("<u8").tobytes(), digest_size=8).digest()
        out.append(int.from_bytes(digest, "little") >> 1)
    return out


def _cached(cache: OrderedDict[K, V], keys: Iterable[K]) -> tuple[dict[K, V], list[K]]:
    """The cached values of ``keys`` (each marked as recently used) and the keys not in the cache."""
    found: dict[K, V] = {}
    missing: list[K] = []
    for key in keys:
        value = cache.get(key)
        if value is None:
            missing.append(key)
        else:
            cache.move_to_end(key)
            found[key] = value
    return found, missing


class SharedDuplicateIndex:
    """``link(messages, norms)`` like :class:`~massline.store.dedup.DuplicateIndex`, answered by the database."""

    #: Databases this process found fully indexed. New roots get their bands as they are linked, so a
    #: database once complete stays complete and the check (a scan of every message newer than the
    #: newest root — short texts without a signature are read again each time) is not repeated on
    #: every request: it was a sixth of an Open311 POST's cost. A new process checks once.
    complete: ClassVar[set[str]] = set()
    #: Entries each cache keeps (a signature is 512 bytes: 32,768 of them are about 20 MB).
    cache_size: ClassVar[int] = 32_768

    def __init__(self, session: Session, threshold: float) -> None:
        self.session = session
        self.threshold = threshold
        self.ranges = band_ranges(threshold)
        #: content hash → its first root, and root id → signature, for the roots seen last (LRU, at most
        #: :attr:`cache_size` each): a file's repeats are found without reading the database again.
        self.fingerprints: OrderedDict[str, int] = OrderedDict()
        self.sig_cache: OrderedDict[int, Signature] = OrderedDict()

    @classmethod
    def ready(cls, session: Session, threshold: float) -> SharedDuplicateIndex:
        """An index on ``session`` with the roots stored before the table existed indexed first
        (:meth:`backfill`) — what every writer that links messages starts from."""
        index = cls(session, threshold)
        index.backfill()
        return index

    def backfill(self) -> int:
        """Index the roots stored before this table existed (or by a version without it); how many."""
        key = self.session.get_bind().engine.url.render_as_string(hide_password=True)
        if key in self.complete:
            return 0
        top = self.session.scalar(select(func.max(LshBand.message_id))) or 0
        rows = self.session.execute(select(Message.id, Message.body).where(
            Message.id > top, Message.duplicate_of.is_(None), Message.content_hash.is_not(None))
            .order_by(Message.id)).all()
        bands = []
        for message_id, body in rows:
            sig = signature(normalise(body or ""))
            if sig is not None:
                bands += [{"band": b, "hash": h, "message_id": message_id}
                          for b, h in enumerate(band_hashes(sig, self.ranges))]
        if bands:
            self.session.execute(insert(LshBand), bands)
        else:  # complete only once nothing was missing (inserted bands count after their commit)
            self.complete.add(key)
        return len({b["message_id"] for b in bands})

    def _remember(self, cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
        cache[key] = value
        cache.move_to_end(key)
        if len(cache) > self.cache_size:
            cache.popitem(last=False)

    def _signatures(self, ids: set[int]) -> dict[int, Signature]:
        """Signatures of the roots ``ids``: from the cache, the rest read back (never an empty ``IN ()``)."""
        out, missing = _cached(self.sig_cache, ids)
        if missing:
            for message_id, body in self.session.execute(select(Message.id, Message.body)
                                                         .where(Message.id.in_(missing))):
                sig = signature(normalise(body or ""))
                if sig is not None:
                    out[message_id] = sig
                    self._remember(self.sig_cache, message_id, sig)
        return out

    def _first_exact(self, digests: set[str], own: set[int], top: int) -> dict[str, int]:
        """The first root of each content hash stored before this batch: the fingerprint cache first,
        one query for the rest (none when every hash is cached)."""
        found, missing = _cached(self.fingerprints, digests)
        if missing:
            for stored, first in self.session.execute(
                    select(Message.content_hash, func.min(Message.id))
                    .where(Message.content_hash.in_(missing), Message.duplicate_of.is_(None), Message.id.not_in(own),
                           Message.id < top)
                    .group_by(Message.content_hash)):
                if stored is not None:
                    found[stored] = first
                    self._remember(self.fingerprints, stored, first)
        return found

    def link(self, messages: list[Message], norms: list[str] | None = None) -> tuple[int, int]:
        """Mark each message (in id order) as a duplicate of an earlier root, or index it as a root."""
        return link_messages(self, messages, norms)

    def link_rows(self, rows: Sequence[LinkRow]) -> list[tuple[int, Match]]:
        """:meth:`link` on plain (id, normalised text, content hash) rows: the (id, match) of each
        duplicate, in id order. Exact matches come from the fingerprint cache (the roots this index
        saw last, at most :attr:`cache_size`) or one query per batch for the hashes it lacks."""
        if not rows:
            return []
        batch = sorted(rows, key=lambda r: r[0])
        own = {r[0] for r in batch}
        prepared = []
        for message_id, norm, known in batch:
            digest = known or (hashlib.sha256(norm.encode("utf-8")).hexdigest() if norm else None)
            sig = signature(norm) if norm else None
            prepared.append((message_id, norm, digest, sig, band_hashes(sig, self.ranges) if sig is not None else []))
        digests = {d for _, norm, d, _, _ in prepared if norm and d}
        first_exact = self._first_exact(digests, own, batch[-1][0]) if digests else {}
        pairs = {(b, h) for *_, hashes in prepared for b, h in enumerate(hashes)}
        by_band: dict[tuple[int, int], set[int]] = defaultdict(set)
        if pairs:
            for band, value, message_id in self.session.execute(
                    select(LshBand.band, LshBand.hash, LshBand.message_id)
                    .where(tuple_(LshBand.band, LshBand.hash).in_(list(pairs)))):
                by_band[(band, value)].add(message_id)
        wanted = {i for ids in by_band.values() for i in ids}
        stored = self._signatures(wanted) if wanted else {}
        out: list[tuple[int, Match]] = []
        new_bands = []
        for message_id, norm, digest, sig, hashes in prepared:
            if not norm or digest is None:
                continue
            match: Match | None = None
            if digest in first_exact and first_exact[digest] < message_id:  # a duplicate is always of an earlier one
                match = Match(first_exact[digest], "exact", 1.0)
            elif sig is not None:
                candidates = {i for b, h in enumerate(hashes) for i in by_band.get((b, h), ())}
                for key in sorted(c for c in candidates if c < message_id):
                    similarity = float(np.mean(sig == stored[key])) if key in stored else 0.0
                    if similarity >= self.threshold:
                        match = Match(key, "near", round(similarity, 4))
                        break
            if match is not None and match.message_id != message_id:
                out.append((message_id, match))
                continue
            if digest not in first_exact:  # a root: later messages of this batch see it, later batches too
                first_exact[digest] = message_id
                self._remember(self.fingerprints, digest, message_id)
            if sig is not None:
                stored[message_id] = sig
                self._remember(self.sig_cache, message_id, sig)
                for b, h in enumerate(hashes):
                    by_band[(b, h)].add(message_id)
                    new_bands.append({"band": b, "hash": h, "message_id": message_id})
        if new_bands:
            self.session.execute(insert(LshBand), new_bands)
        return out


def link_deferred(session: Session, threshold: float, message_ids: Iterable[int]) -> int:
    """The duplicate check of messages stored without it (``content_hash`` still empty), in id order;
    how many were checked.

    Why deferred: a request's intake stores its message and answers; the check (a few queries on
    ``lsh_bands`` and the signatures of the candidates) runs with the request's routing, in the
    same batch as the others the routing task gathers. Until then the message has no content hash,
    so no message can be linked to it nor the backfill index it as a first occurrence.
    """
    messages = list(session.scalars(select(Message).where(Message.id.in_(list(message_ids)),
                                                          Message.content_hash.is_(None)).order_by(Message.id)))
    if not messages:
        return 0
    norms = [normalise(m.body or "") for m in messages]
    for message, norm in zip(messages, norms, strict=True):
        message.content_hash = hash_normalised(norm)
    link_messages(SharedDuplicateIndex.ready(session, threshold), messages, norms)
    return len(messages)
