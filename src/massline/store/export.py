"""Messages out as JSON Lines or CSV: one record per message, every current result, PII masked.

Streams in keyset chunks of plain rows (messages by id, their current results per chunk; no ORM
objects), so exporting a large database needs memory for one chunk, not the table. Every text that leaves goes through
:func:`massline.privacy.mask_text` for the ``export`` output and the caller's role — title,
body, original, every string in ``meta`` (``address``, ``reply``, unmapped columns …), flag
texts and reasons, result reasons and values; a role that may open personal data
(administrator, dispatcher, handler) gets an audit event. CSV cells cannot start a formula.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.core.errors import InputError
from massline.db.models.intake import Source
from massline.db.models.message import AnalysisResult, Message
from massline.db.repositories.audit import record_audit
from massline.db.session import session_scope
from massline.privacy import find_pii, mask_text
from massline.privacy.policy import has_permission, operator_for

FORMATS = ("jsonl", "csv")
#: Results promoted to top-level fields (``confidence`` is the category's).
CONVENIENCE_KEYS = ("category", "department", "request_type", "urgency", "sentiment", "places")
FIELDS = (
    "id", "source", "external_id", "received_at", "created_at", "title", "body", "original", "original_title",
    "language", "content_type", "author_ref", "status", "flags", "duplicate_of", "duplicate_kind", "similarity",
    "meta", "category", "confidence", "department", "request_type", "urgency", "sentiment", "places", "results",
)
CHUNK = 500
#: A CSV cell starting with one of these is a formula to Excel/LibreOffice (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def iso(value: datetime | None) -> str | None:
    """UTC ISO 8601; SQLite hands back naive datetimes that were stored as UTC."""
    if value is None:
        return None
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()


def _current_results(session: Session, ids: list[int]) -> dict[int, dict[str, dict[str, Any]]]:
    r = AnalysisResult
    rows = session.execute(
        select(r.message_id, r.key, r.value, r.confidence, r.component, r.version, r.reason)
        .where(r.message_id.in_(ids), r.current.is_(True))
        .order_by(r.id)
    )
    out: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for message_id, key, value, confidence, component, version, reason in rows:
        out[message_id][key] = {"value": value, "confidence": confidence, "component": component,
                                "version": version, "reason": reason}
    return out


#: The message columns an export reads (plain rows, no ORM objects).
_COLUMNS = (
    Message.id, Message.source_id, Message.external_id, Message.received_at, Message.created_at, Message.title,
    Message.body, Message.original, Message.original_title, Message.language, Message.content_type,
    Message.author_ref, Message.status, Message.flags, Message.duplicate_of, Message.duplicate_kind,
    Message.similarity, Message.meta,
)


def iter_export_records(
    session: Session, *, role: str = "analyst", secret: str | None = None
) -> Iterator[dict[str, Any]]:
    """One dict per message (fields in :data:`FIELDS` order), texts masked for ``output="export"`` and ``role``."""

    def mask(text: str | None, context: str = "") -> str | None:
        """``text`` masked; names found in ``context`` (the message) are also found in ``text``
        (a bare ``张三丰`` in a classifier reason or a flag has no context of its own)."""
        if text is None or not context:
            return None if text is None else mask_text(text, output="export", role=role, secret=secret)
        offset = len(context) + 2
        found = [replace(f, start=f.start - offset, end=f.end - offset)
                 for f in find_pii(f"{context}\n\n{text}") if f.start >= offset]
        return mask_text(text, output="export", role=role, secret=secret, findings=found)

    def mask_all(value: Any, context: str) -> Any:
        """Every string inside ``value`` masked: meta (address, reply, unmapped columns …), flag texts
        and reasons, result reasons — any of them may quote the citizen. Keys stay as they are."""
        if isinstance(value, str):
            return mask(value, context)
        if isinstance(value, dict):
            return {k: mask_all(v, context) for k, v in value.items()}
        if isinstance(value, list):
            return [mask_all(v, context) for v in value]
        return value

    sources = dict(session.execute(select(Source.id, Source.name)).all())
    last_id = 0
    while True:  # keyset chunks of plain rows: memory for one chunk, whatever the table's size
        chunk = session.execute(select(*_COLUMNS).where(Message.id > last_id).order_by(Message.id).limit(CHUNK)).all()
        if not chunk:
            return
        last_id = chunk[-1].id
        results = _current_results(session, [m.id for m in chunk])
        for m in chunk:
            context = m.original or m.body or ""
            plain: dict[str | None, str | None] = {}  # a text twice in one message (body = original) masked once

            def bare(text: str | None, plain: dict[str | None, str | None] = plain) -> str | None:
                if text not in plain:
                    plain[text] = mask(text)
                return plain[text]

            res = {key: {**r, "reason": mask(r["reason"], context), "value": mask_all(r["value"], context)}
                   for key, r in results.get(m.id, {}).items()}
            meta = mask_all(dict(m.meta or {}), context)
            record: dict[str, Any] = {
                "id": m.id, "source": sources.get(m.source_id), "external_id": m.external_id,
                "received_at": iso(m.received_at), "created_at": iso(m.created_at), "title": bare(m.title),
                "body": bare(m.body), "original": bare(m.original), "original_title": bare(m.original_title),
                "language": m.language, "content_type": m.content_type, "author_ref": m.author_ref,
                "status": m.status, "flags": mask_all(m.flags or [], context), "duplicate_of": m.duplicate_of,
                "duplicate_kind": m.duplicate_kind, "similarity": m.similarity, "meta": meta,
            }
            for key in CONVENIENCE_KEYS:
                record[key] = res[key]["value"] if key in res else None
            record["confidence"] = res["category"]["confidence"] if "category" in res else None
            record["results"] = res
            yield {k: record[k] for k in FIELDS}


def csv_cell(value: Any) -> Any:
    """One CSV cell: nested values as JSON, and a text that a spreadsheet would run as a formula
    (``=``, ``+``, ``-``, ``@``, tab, CR first) prefixed with ``'`` so it stays text."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def write_export(records: Iterator[dict[str, Any]], out: TextIO, fmt: str) -> int:
    """Write ``records`` as ``fmt`` to ``out``; returns how many were written."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", field="--format")
    count = 0
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for record in records:
        writer.writerow([csv_cell(record[k]) for k in FIELDS])
        count += 1
    return count


def export_messages(settings: Settings, out: TextIO, *, fmt: str = "jsonl", role: str = "analyst",
                    actor: str = "cli") -> int:
    """Export every message to ``out``; audited when ``role`` may open the personal data it carries."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", field="--format")
    operator_for("export", role, "PHONE")  # an unknown role fails before any output is written
    with session_scope(settings.resolved_database_url()) as session:
        count = write_export(iter_export_records(session, role=role, secret=settings.resolved_secret_key()), out, fmt)
    if has_permission(role, "pii.reveal") or has_permission(role, "pii.raw_view"):
        with session_scope(settings.resolved_database_url()) as session:
            record_audit(session, actor=actor, action="pii.raw_export", object_type="messages",
                         detail={"role": role, "format": fmt, "count": count},
                         reason="export with personal data recoverable by this role")
    return count
