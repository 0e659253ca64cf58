"""The per-batch engine shared by files, URLs, forms and APIs: store raw → map → clean → store.

Each batch first stores (and, for files, commits) every record verbatim as a child raw item,
then maps and cleans, then writes messages. A record that fails any step goes to quarantine
with where and why; the batch carries on. A raw item already ``processed`` is a duplicate
and adds nothing; one left ``new`` (a crash) or ``quarantined`` (perhaps fixable with a new
``--map``) is processed again.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.core.memory import settle
from massline.core.types import Doc
from massline.db.models.intake import RawItem, Source
from massline.db.models.message import Message
from massline.ingest.profiles import MappedRecord, Profile, detect_profile, map_record
from massline.ingest.records import RawRecord, ReadItem, ReadProblem
from massline.ingest.report import FileReport, Problem
from massline.pipeline import Pipeline, build_pipeline
from massline.store.dedup import DuplicateLinker
from massline.store.messages import Pending, insert_messages, pseudonym, save_messages
from massline.store.raw import existing_raw_rows, quarantine, sha256_hex

BATCH_SIZE = 500
#: Problems a report keeps in memory per input (a file of a million broken rows must not fill memory).
MAX_PROBLEMS_KEPT = 1000
_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def clean_pipeline() -> Pipeline:
    """The cleaning helper's ``CLEAN_PIPELINE`` (empty until it is defined), built once per process."""
    module = importlib.import_module("massline.clean.components")
    pipeline = build_pipeline(tuple(getattr(module, "CLEAN_PIPELINE", ())))
    settle("cleaning pipeline")  # its ≈ 200,000 dictionary objects live as long as the process
    return pipeline


def run_clean(pipeline: Pipeline, docs: list[Doc]) -> list[Doc | Exception]:
    """Clean a batch; if the batch fails, clean one by one so only the failing doc is lost to quarantine."""
    try:
        return list(pipeline.pipe(docs))
    except Exception:  # a component bug must not sink 499 good messages with the bad one
        out: list[Doc | Exception] = []
        for doc in docs:
            try:
                out.append(pipeline(doc))
            except Exception as exc:
                out.append(exc)
        return out


_DOCUMENT = re.compile(r"<(?:html|body)[\s>]", re.IGNORECASE)


def as_document(body: str, content_type: str) -> str:
    """An HTML fragment (a feed entry's content) wrapped as a page, so main-text extraction sees a document.

    Only the working text is wrapped; ``original`` keeps the fragment exactly as received.
    """
    if content_type == "text/html" and not _DOCUMENT.search(body[:4096]):
        return f"<html><body>{body}</body></html>"
    return body


@dataclass(slots=True)
class RawRef:
    """A raw item as bulk intake tracks it: id and status (the row is written, not loaded); ``content``
    the record's bytes while its batch is processed; ``item`` the ORM object when there is one (the
    parent of a whole-file input), which then gets the status."""

    id: int
    status: str
    content: bytes | None
    item: RawItem | None = None


@dataclass
class Batcher:
    """Everything one input needs while its batches are processed."""

    settings: Settings
    session: Session
    source: Source
    origin: str
    index_factory: Callable[[], DuplicateLinker]
    report: FileReport
    parent: RawItem | None = None
    profile: Profile | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    commit: bool = True
    pipeline: Pipeline = field(default_factory=clean_pipeline)
    #: False: messages are stored without their duplicate check, which whoever routes them runs
    #: (a request's answer does not wait for it; see :func:`massline.store.dedup_shared.link_deferred`)
    link: bool = True

    def __post_init__(self) -> None:
        self.secret = self.settings.resolved_secret_key()
        self._index: DuplicateLinker | None = None

    @property
    def index(self) -> DuplicateLinker:
        """The duplicate index, seeded only when a new message needs it (a re-ingest never pays for it)."""
        if self._index is None:
            self._index = self.index_factory()
        return self._index

    def _problem(self, locator: str, reason: str, field_: str = "", raw_id: int | None = None,
                 content: str | None = None) -> None:
        raw_id = raw_id if raw_id is not None else (self.parent.id if self.parent else None)
        quarantine(self.session, origin=self.origin, reason=reason, raw_item_id=raw_id, locator=locator or None,
                   field=field_ or None, content=content)
        self.report.quarantined += 1
        if len(self.report.problems) < MAX_PROBLEMS_KEPT:  # the quarantine table has them all
            self.report.problems.append(Problem(self.origin, locator, field_, reason))

    def _profile_for(self, record: RawRecord) -> Profile:
        if self.profile is None:
            self.profile = detect_profile(record.fields).with_mapping(self.mapping)
            self.report.profile = self.profile.name
        return self.profile

    def _raw_rows(self, records: list[RawRecord]) -> list[RawRef | None]:
        """The raw item of each record, storing new ones; ``None`` marks an already-processed duplicate.

        Plain rows, not ORM objects: the known ones in one query, the new ones in one multi-row insert
        (ids returned in order, as a flush of added objects assigns them).
        """
        blobs = [None if r.whole_file else r.canonical_bytes() for r in records]
        digests = [None if b is None else sha256_hex(b) for b in blobs]
        known = {digest: RawRef(raw_id, status, None) for digest, (raw_id, status)
                 in existing_raw_rows(self.session, [d for d in digests if d is not None]).items()}
        parent = None if self.parent is None else RawRef(self.parent.id, self.parent.status, None, self.parent)
        rows: list[RawRef | None] = []
        taken: set[int] = set()
        new: list[tuple[RawRef, dict[str, Any]]] = []
        for record, blob, digest in zip(records, blobs, digests, strict=True):
            row: RawRef | None
            if blob is None or digest is None:
                row = parent
            else:
                row = known.get(digest)
                if row is None:
                    row = RawRef(0, "new", blob)
                    new.append((row, {"source_id": self.source.id, "parent_id": self.parent.id if self.parent else None,
                                      "origin": self.origin[:2000], "locator": record.locator or None,
                                      "content_type": "application/json", "content": blob, "sha256": digest,
                                      "status": "new"}))
                    known[digest] = row
                elif id(row) in taken:  # the same row twice in one input
                    row = None
                if row is not None:
                    row.content = blob
                    taken.add(id(row))
            if row is not None and row.status == "processed":
                row = None
            rows.append(row)
        if new:
            ids = self.session.scalars(insert(RawItem).returning(RawItem.id, sort_by_parameter_order=True),
                                       [values for _, values in new])
            for (ref, _), raw_id in zip(new, ids, strict=True):
                ref.id = raw_id
        self.session.flush()
        return rows

    def _save_statuses(self, refs: Sequence[RawRef | None], before: list[str | None]) -> None:
        """Write the raw items whose status changed (one executemany update)."""
        changed = []
        for ref, was in zip(refs, before, strict=True):
            if ref is None or ref.status == was:
                continue
            if ref.item is not None:
                ref.item.status = ref.status
            else:
                changed.append({"id": ref.id, "status": ref.status})
        if changed:
            self.session.execute(update(RawItem), changed)

    def process(self, items: Sequence[ReadItem]) -> None:
        records: list[RawRecord] = []
        for item in items:
            self.report.read += 1
            if isinstance(item, ReadProblem):
                self._problem(item.locator, item.reason, item.field, content=item.content)
            else:
                records.append(item)
        if records:
            self._profile_for(records[0])
        raws = self._raw_rows(records)
        if self.commit:
            self.session.commit()  # stored verbatim before any processing
        before = [None if raw is None else raw.status for raw in raws]
        mapped: list[tuple[RawRecord, RawRef, MappedRecord]] = []
        for record, raw in zip(records, raws, strict=True):
            if raw is None:
                self.report.duplicate += 1
                continue
            result = map_record(record, self._profile_for(record))
            if isinstance(result, ReadProblem):
                raw.status = "quarantined"
                self._problem(result.locator, result.reason, result.field, raw.id,
                              (raw.content or b"").decode("utf-8", "replace")[:20000])
            else:
                mapped.append((record, raw, result))
        self._finish(mapped, bulk=True)
        self._save_statuses(raws, before)
        if self.commit:
            self.session.commit()

    def finish(self, mapped: list[tuple[RawRecord, RawItem, MappedRecord]]) -> list[Message]:
        """Clean the mapped records and store them as messages (shared with forms and APIs)."""
        return self._finish(mapped, bulk=False)

    def _finish(self, mapped: Sequence[tuple[RawRecord, RawItem | RawRef, MappedRecord]], *,
                bulk: bool) -> list[Message]:
        """:meth:`finish`; ``bulk``: stored without ORM objects (:func:`insert_messages`), returns none."""
        docs = [
            Doc(text=as_document(m.body, r.content_type), original=m.body, title=m.title, content_type=r.content_type,
                meta=dict(m.meta), external_id=m.external_id)
            for r, _, m in mapped
        ]
        pending: list[Pending] = []
        for (record, raw, m), cleaned in zip(mapped, run_clean(self.pipeline, docs), strict=True):
            if isinstance(cleaned, Exception):
                raw.status = "quarantined"
                self._problem(record.locator, f"cleaning failed: {type(cleaned).__name__}: {cleaned}", raw_id=raw.id)
                continue
            if not (cleaned.text or "").strip() and not (cleaned.title or "").strip():
                raw.status = "quarantined"
                self._problem(record.locator, "no text left after cleaning (page without content?)", "body", raw.id)
                continue
            if cleaned.language is None and _CJK.search(cleaned.text or cleaned.title or ""):
                cleaned.language = "zh"
            raw.status = "processed"
            pending.append(Pending(cleaned, self.source.id, raw.id, m.title, pseudonym(self.secret, m.author),
                                   m.created_at))
        if not pending:
            return []
        if bulk:
            ids, exact, near = insert_messages(self.session, pending, self.index)
            messages: list[Message] = []
        else:
            messages, exact, near = save_messages(self.session, pending, self.index if self.link else None)
            ids = [m.id for m in messages]
        self.report.new += len(ids)
        self.report.exact_duplicates += exact
        self.report.near_duplicates += near
        self.report.message_ids.extend(ids)
        return messages


ProgressHook = Callable[[str, int, int | None], None]
