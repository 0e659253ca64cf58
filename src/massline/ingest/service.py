"""Plain functions behind ``massline ingest``, the web form and Open311.

* :func:`ingest_paths` — files and folders (and URLs, via the fetcher), one report for all.
* :func:`ingest_bytes` — one input already in memory (a fetched page or feed, an upload).
* :func:`ingest_records` — mappings from an API, mapped with a profile like file rows.
* :func:`ingest_text` — one submitted request → its :class:`Message` (web form, Open311).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.core.errors import FetchError, InputError
from massline.db.base import utcnow
from massline.db.models.intake import RawItem, Source
from massline.db.models.message import Message
from massline.db.session import get_sessionmaker, session_scope
from massline.ingest.decode import scan_file
from massline.ingest.process import BATCH_SIZE, Batcher, ProgressHook
from massline.ingest.profiles import MappedRecord, Profile, get_profile
from massline.ingest.readers import CONTENT_TYPES, READERS, STREAM_READERS, format_for
from massline.ingest.records import RawRecord, ReadItem, canonical_json
from massline.ingest.report import FileReport, IngestReport, Problem
from massline.store.dedup import DuplicateLinker, forget
from massline.store.dedup_shared import SharedDuplicateIndex
from massline.store.raw import get_or_create_source, quarantine, store_raw, store_raw_file

URL_PREFIXES = ("http://", "https://")


def _resolve_profile(profile: str | Profile | None, mapping: Mapping[str, str] | None) -> Profile | None:
    if profile is None:
        return None
    chosen = get_profile(profile) if isinstance(profile, str) else profile
    return chosen.with_mapping(mapping or {})


def _index_factory(session: Session, settings: Settings) -> Callable[[], DuplicateLinker]:
    """The near-duplicate index every process shares (``lsh_bands`` in the database), with the roots
    stored before it existed indexed first."""

    def shared() -> DuplicateLinker:
        return SharedDuplicateIndex.ready(session, settings.near_duplicate_threshold)

    return shared


def expand_paths(paths: Iterable[str | Path]) -> list[str | Path]:
    """Files as given; folders replaced by the files inside them (sorted, hidden ones skipped); URLs kept."""
    out: list[str | Path] = []
    for p in paths:
        if isinstance(p, str) and p.startswith(URL_PREFIXES):
            out.append(p)
            continue
        path = Path(p)
        if path.is_dir():
            out.extend(f for f in sorted(path.rglob("*")) if f.is_file() and not f.name.startswith("."))
        else:
            out.append(path)
    return out


#: A CSV/TSV/JSONL file larger than this is streamed: stored in parts and read record by record.
STREAM_ABOVE = 16 * 1024 * 1024


def ingest_bytes(
    settings: Settings,
    data: bytes,
    *,
    origin: str,
    fmt: str | None = None,
    source_name: str | None = None,
    source_kind: str = "file",
    url: str | None = None,
    profile: str | Profile | None = None,
    mapping: Mapping[str, str] | None = None,
    headers: dict[str, Any] | None = None,
    progress: ProgressHook | None = None,
) -> FileReport:
    """Store ``data`` verbatim, then read, clean and store its records. Never raises for bad content."""
    fmt = fmt or format_for(origin, data)

    def store(session: Session, source: Source) -> RawItem:
        return store_raw(session, source_id=source.id, origin=origin[:2000], content=data,
                         content_type=(headers or {}).get("content-type") or CONTENT_TYPES[fmt], headers=headers)[0]

    return _ingest(settings, origin, fmt, store, lambda: READERS[fmt](data, origin),
                   source=(source_name or f"{source_kind}:{Path(origin).name}", source_kind, url),
                   profile=profile, mapping=mapping, progress=progress)


def ingest_file(
    settings: Settings,
    path: Path,
    *,
    profile: str | Profile | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: ProgressHook | None = None,
) -> FileReport:
    """A file on disk. A CSV/TSV/JSON Lines file above :data:`STREAM_ABOVE` bytes is streamed: hashed
    and checked in one pass, stored verbatim in parts, then read record by record in batches, so
    memory stays flat whatever its size (a million rows); anything else is read whole
    (:func:`ingest_bytes`). Never raises for bad content.
    """
    origin = str(path)
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(4096)
    fmt = format_for(path, head)
    if fmt not in STREAM_READERS or size <= STREAM_ABOVE:
        return ingest_bytes(settings, path.read_bytes(), origin=origin, fmt=fmt, profile=profile, mapping=mapping,
                            progress=progress)
    scan = scan_file(path, origin=origin)
    reader, newline = STREAM_READERS[fmt]

    def store(session: Session, source: Source) -> RawItem:
        return store_raw_file(session, source_id=source.id, origin=origin[:2000], path=path, sha256=scan.sha256,
                              content_type=CONTENT_TYPES[fmt])[0]

    def read() -> Iterator[ReadItem]:
        if scan.problem is not None:
            raise scan.problem
        with path.open(encoding=scan.encoding, newline=newline) as stream:
            yield from reader(stream, origin, scan.encoding)

    return _ingest(settings, origin, fmt, store, read, source=(f"file:{path.name}", "file", None), profile=profile,
                   mapping=mapping, progress=progress)


def _ingest(
    settings: Settings,
    origin: str,
    fmt: str,
    store: Callable[[Session, Source], RawItem],
    read: Callable[[], Iterator[ReadItem]],
    *,
    source: tuple[str, str, str | None],
    profile: str | Profile | None,
    mapping: Mapping[str, str] | None,
    progress: ProgressHook | None,
) -> FileReport:
    """Store the input verbatim (``store``) and commit, then read its records (``read``) in batches.

    Records are pulled from the reader one batch at a time, so only a batch is ever in memory. An
    input that cannot be read at all (or stops being readable halfway) is quarantined as a whole;
    records before the failure stay stored.
    """
    report = FileReport(origin=origin, format=fmt)
    url_db = settings.resolved_database_url()
    session = get_sessionmaker(url_db)()
    try:
        channel = get_or_create_source(session, *source)
        parent = store(session, channel)
        session.commit()  # the input is safe before anything reads it
        batcher = Batcher(settings, session, channel, origin, _index_factory(session, settings), report, parent=parent,
                          profile=_resolve_profile(profile, mapping), mapping=dict(mapping or {}))
        if batcher.profile is not None:
            report.profile = batcher.profile.name
        items: Iterator[ReadItem] = iter(())
        done = 0
        while True:
            try:
                if done == 0:
                    items = read()
                batch = list(islice(items, BATCH_SIZE))
            except Exception as exc:  # a malformed input must never abort the other inputs of the run
                _quarantine_input(session, parent, report, origin, fmt, exc)
                return report
            if not batch:
                break
            batcher.process(batch)
            done += len(batch)
            if progress is not None:
                progress(origin, done, None)
        if parent.status == "new":
            parent.status = "processed"
        session.commit()
        return report
    except BaseException:
        session.rollback()
        forget(url_db)
        raise
    finally:
        session.close()


def _quarantine_input(session: Session, parent: RawItem, report: FileReport, origin: str, fmt: str,
                      exc: Exception) -> None:
    reason = exc.reason if isinstance(exc, InputError) else f"unreadable {fmt} ({type(exc).__name__}: {exc})"
    parent.status = "quarantined"
    quarantine(session, origin=origin, reason=reason, raw_item_id=parent.id)
    report.read += 1
    report.quarantined += 1
    report.problems.append(Problem(origin, "", getattr(exc, "field", ""), reason))
    session.commit()


def ingest_paths(
    settings: Settings,
    paths: Sequence[str | Path],
    *,
    profile: str | Profile | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: ProgressHook | None = None,
) -> IngestReport:
    """Ingest files, folders and URLs; bad inputs are reported in the result, never raised."""
    started = time.perf_counter()
    report = IngestReport()
    for item in expand_paths(paths):
        if isinstance(item, str):
            report.files.append(ingest_url(settings, item, profile=profile, mapping=mapping, progress=progress))
            continue
        try:
            report.files.append(ingest_file(settings, item, profile=profile, mapping=mapping, progress=progress))
        except OSError as exc:
            reason = f"cannot read file: {exc.strerror or exc}"
            report.files.append(FileReport(str(item), problems=[Problem(str(item), "", "", reason)]))
    report.seconds = time.perf_counter() - started
    return report


def _with_session(settings: Settings, session: Session | None) -> Any:
    if session is not None:
        from contextlib import nullcontext

        return nullcontext(session)
    return session_scope(settings.resolved_database_url())


def ingest_records(
    settings: Settings,
    records: Iterable[Mapping[str, Any]],
    *,
    source_name: str,
    source_kind: str = "api",
    origin: str | None = None,
    profile: str | Profile | None = None,
    mapping: Mapping[str, str] | None = None,
    session: Session | None = None,
) -> FileReport:
    """Store mappings (one per record, locator "record N") like rows of a file; ids in ``message_ids``.

    With ``session`` the caller's transaction is used (flushed, not committed).
    """
    origin = origin or source_name
    report = FileReport(origin=origin, format="records")
    url_db = settings.resolved_database_url()
    with _with_session(settings, session) as s:
        source = get_or_create_source(s, source_name, source_kind)
        batcher = Batcher(settings, s, source, origin, _index_factory(s, settings), report,
                          profile=_resolve_profile(profile, mapping), mapping=dict(mapping or {}), commit=False)
        items = [RawRecord(f"record {n}", dict(r)) for n, r in enumerate(records, start=1)]
        try:
            for start in range(0, len(items), BATCH_SIZE):
                batcher.process(items[start : start + BATCH_SIZE])
            s.flush()
        except BaseException:
            forget(url_db)
            raise
    return report


def ingest_text(
    settings: Settings,
    text: str,
    *,
    title: str | None = None,
    source_name: str = "web form",
    source_kind: str = "form",
    origin: str | None = None,
    author: str | None = None,
    external_id: str | None = None,
    created_at: datetime | None = None,
    meta: Mapping[str, Any] | None = None,
    content_type: str = "text/plain",
    session: Session | None = None,
    submission: Mapping[str, Any] | None = None,
    link_duplicates: bool = True,
) -> Message:
    """One submitted request → stored raw (with its arrival time) → cleaned → its new :class:`Message`.

    Two people sending the same words are two requests: the raw record includes the arrival
    time and a random nonce, so both are kept (and stored without looking for an earlier copy),
    and the second message is linked to the first as a duplicate.
    ``submission`` is the request as received (e.g. a form without its secrets); when given it is
    what the raw item keeps, so derived fields (such as ``author``, which may be a contact handle
    and only reaches the message as a pseudonym) need not be stored raw.
    ``link_duplicates=False`` stores the message without its duplicate check, which the request's
    routing runs (:func:`massline.store.dedup_shared.link_deferred`): the answer need not wait for it.
    Raises :class:`InputError` (field ``text``) for an empty text or one with nothing left after cleaning.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("the message text is empty", field="text", origin=origin or source_name)
    received = utcnow()
    fields: dict[str, Any] = {"text": text, "title": title, "author": author, "external_id": external_id,
                              "created_at": created_at, "meta": dict(meta or {}), "received_at": received}
    record = RawRecord("", fields, content_type=content_type)
    origin = origin or source_name
    report = FileReport(origin=origin, format="form")
    url_db = settings.resolved_database_url()
    with _with_session(settings, session) as s:
        source = get_or_create_source(s, source_name, source_kind)
        kept = fields if submission is None else {**submission, "received_at": received.isoformat()}
        content = canonical_json({**kept, "nonce": secrets.token_hex(8)})
        raw, _ = store_raw(s, source_id=source.id, origin=origin, content=content, content_type="application/json",
                           unique=True, status="processed")  # in this transaction, or not at all
        batcher = Batcher(settings, s, source, origin, _index_factory(s, settings), report, commit=False,
                          link=link_duplicates)
        mapped = MappedRecord(body=text, title=title, external_id=external_id, author=author,
                              created_at=created_at or received, meta=dict(meta or {}))
        try:
            messages = batcher.finish([(record, raw, mapped)])
        except BaseException:
            forget(url_db)
            raise
        if not messages:
            reason = report.problems[0].reason if report.problems else "not stored"
            raise InputError(reason, field="text", origin=origin)
        return messages[0]


def ingest_url(
    settings: Settings,
    url: str,
    *,
    profile: str | Profile | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: ProgressHook | None = None,
) -> FileReport:
    """Fetch ``url`` (conditionally) and ingest what came back; failures are reported, not raised."""
    from massline.ingest.fetch import fetch, format_of_fetched  # httpx only when a URL is given

    name = f"url:{url}"[:200]
    with session_scope(settings.resolved_database_url()) as session:
        source = session.scalars(select(Source).where(Source.name == name)).first()
        etag, last_modified = (source.etag, source.last_modified) if source else (None, None)
    try:
        result = fetch(settings, url, etag=etag, last_modified=last_modified)
    except FetchError as exc:
        return FileReport(url, format="url", problems=[Problem(url, "", "", exc.reason)])
    if result.not_modified:
        return FileReport(url, format="url", not_modified=True)
    fmt = format_of_fetched(result)
    report = ingest_bytes(
        settings, result.content, origin=url, fmt=fmt, source_name=name, source_kind="feed" if fmt == "feed" else "web",
        url=url, profile=profile, mapping=mapping, headers=result.headers, progress=progress,
    )
    with session_scope(settings.resolved_database_url()) as session:
        source = session.scalars(select(Source).where(Source.name == name)).one()
        source.etag = result.headers.get("etag")
        source.last_modified = result.headers.get("last-modified")
        source.url = url
    return report
