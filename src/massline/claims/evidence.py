"""The evidence base: reading claim files, importing them, and revising or retiring claims.

Contract of ``massline claims import PATH`` (JSONL or CSV): ``claim_id`` (required, stable —
importing the same id again updates that claim), ``claim`` (required), ``verdict`` (required,
one of :data:`VERDICTS`), optional ``evidence``, ``source_url``, ``source_title``, ``date``,
``variants`` (a JSON list or ``|``-separated), plus ``author`` and ``language``.

Every change writes a new :class:`ClaimRevision` snapshot and an audit event; an import that
changes nothing writes nothing. A bad row never stops the file: it is reported with its line
and field, and the good rows are imported.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.errors import InputError, NotFoundError
from massline.db.base import utcnow
from massline.db.models.claims import Claim, ClaimRevision
from massline.db.repositories.audit import record_audit

#: Verdicts and their Chinese names (the ClaimReview rating scale lives in ``corrections``).
VERDICTS: dict[str, str] = {
    "false": "不实", "misleading": "误导", "mixed": "部分属实", "unproven": "尚未证实", "true": "属实",
}
STATUSES = ("active", "retired")
#: Fields an editor may change through :func:`revise_claim`.
EDITABLE = ("text", "verdict", "evidence", "variants", "sources", "author", "language", "claim_date")


@dataclass
class ClaimRecord:
    """One row of an import file, validated."""

    claim_id: str
    text: str
    verdict: str
    evidence: str = ""
    variants: list[str] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)
    author: str = ""
    language: str = "zh"
    claim_date: str | None = None

    def values(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("claim_id")
        return data


@dataclass
class ImportSummary:
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"read": self.read, "new": self.new, "updated": self.updated, "unchanged": self.unchanged,
                "errors": len(self.errors)}


def check_verdict(value: str, *, locator: str = "") -> str:
    verdict = (value or "").strip().lower()
    if verdict not in VERDICTS:
        raise InputError(f"unknown verdict {value!r}; expected one of {', '.join(VERDICTS)}", locator=locator,
                         field="verdict")
    return verdict


def parse_variants(value: Any, *, locator: str = "") -> list[str]:
    """A JSON list, or ``|``-separated text; blanks dropped, order kept, duplicates removed."""
    if value is None or value == "":
        return []
    items: list[Any]
    if isinstance(value, list):
        items = value
    elif isinstance(value, str) and value.strip().startswith("["):
        try:
            items = json.loads(value)
        except json.JSONDecodeError as exc:
            raise InputError(f"not a JSON list: {exc.msg}", locator=locator, field="variants") from exc
        if not isinstance(items, list):
            raise InputError("must be a JSON list of strings", locator=locator, field="variants")
    elif isinstance(value, str):
        items = value.split("|")
    else:
        raise InputError("must be a list or a |-separated string", locator=locator, field="variants")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise InputError("every variant must be a string", locator=locator, field="variants")
        if item.strip() and item.strip() not in out:
            out.append(item.strip())
    return out


def record_from_row(row: dict[str, Any], *, locator: str = "") -> ClaimRecord:
    """Validate one row; the error names the row and the field."""
    def text_of(name: str, required: bool = False) -> str:
        value = row.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise InputError("required field is missing or empty", locator=locator, field=name)
            return ""
        if not isinstance(value, str | int | float):
            raise InputError("must be text", locator=locator, field=name)
        return str(value).strip()

    claim_id = text_of("claim_id", True)
    if len(claim_id) > 200:
        raise InputError("longer than 200 characters", locator=locator, field="claim_id")
    text = text_of("claim", True)
    verdict = check_verdict(text_of("verdict", True), locator=locator)
    url, title, date = text_of("source_url"), text_of("source_title"), text_of("date")
    if url and not url.startswith(("http://", "https://")):
        raise InputError("must start with http:// or https://", locator=locator, field="source_url")
    sources = [{"url": url, "title": title, "date": date}] if (url or title) else []
    return ClaimRecord(claim_id=claim_id, text=text, verdict=verdict, evidence=text_of("evidence"),
                       variants=parse_variants(row.get("variants"), locator=locator), sources=sources,
                       author=text_of("author"), language=text_of("language") or "zh", claim_date=date or None)


def iter_rows(path: Path) -> Iterator[tuple[str, dict[str, Any] | InputError]]:
    """``(locator, row or error)`` for each record of a JSONL or CSV file (by extension, else sniffed)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", origin=str(path)) from exc
    text = raw.decode("utf-8-sig", errors="replace")
    is_jsonl = path.suffix.lower() in {".jsonl", ".ndjson", ".json"} or text.lstrip().startswith("{")
    if is_jsonl:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield f"line {number}", InputError(f"invalid JSON: {exc.msg}", origin=str(path),
                                                   locator=f"line {number}")
                continue
            if not isinstance(obj, dict):
                yield f"line {number}", InputError("not a JSON object", origin=str(path), locator=f"line {number}")
                continue
            yield f"line {number}", obj
        return
    reader = csv.DictReader(io.StringIO(text))
    for number, row in enumerate(reader, start=2):  # header = row 1, like a spreadsheet
        yield f"row {number}", {k.strip(): v for k, v in row.items() if k is not None}


def read_claim_file(path: Path) -> tuple[list[ClaimRecord], list[str]]:
    """Valid records and one error text per bad row."""
    records: list[ClaimRecord] = []
    errors: list[str] = []
    for locator, row in iter_rows(path):
        if isinstance(row, InputError):
            errors.append(str(row))
            continue
        try:
            records.append(record_from_row(row, locator=f"{path.name} {locator}"))
        except InputError as exc:
            errors.append(str(exc))
    return records, errors


def snapshot(claim: Claim) -> dict[str, Any]:
    return {"claim_id": claim.claim_id, "text": claim.text, "verdict": claim.verdict, "evidence": claim.evidence,
            "variants": list(claim.variants or []), "sources": list(claim.sources or []), "author": claim.author,
            "language": claim.language, "claim_date": claim.claim_date, "status": claim.status}


def _new_revision(session: Session, claim: Claim, actor: str, reason: str | None, action: str) -> None:
    session.flush()
    session.add(ClaimRevision(claim_pk=claim.id, revision=claim.revision, snapshot=snapshot(claim), actor=actor,
                              reason=reason))
    record_audit(session, actor=actor, action=action, object_type="claim", object_id=claim.claim_id,
                 detail={"revision": claim.revision, "verdict": claim.verdict, "status": claim.status}, reason=reason)


def import_claims(session: Session, records: Iterable[ClaimRecord], *, actor: str,
                  reason: str | None = None) -> ImportSummary:
    """Create or update claims by ``claim_id``; only real changes make a revision."""
    summary = ImportSummary()
    existing = {c.claim_id: c for c in session.scalars(select(Claim))}
    for record in records:
        summary.read += 1
        claim = existing.get(record.claim_id)
        if claim is None:
            claim = Claim(claim_id=record.claim_id, revision=1, updated_by=actor, status="active", **record.values())
            session.add(claim)
            existing[record.claim_id] = claim
            _new_revision(session, claim, actor, reason or "import", "claim.create")
            summary.new += 1
            continue
        values = record.values()
        if all(getattr(claim, k) == v for k, v in values.items()) and claim.status == "active":
            summary.unchanged += 1
            continue
        for key, value in values.items():
            setattr(claim, key, value)
        claim.status = "active"
        _bump(claim, actor)
        _new_revision(session, claim, actor, reason or "import", "claim.update")
        summary.updated += 1
    return summary


def _bump(claim: Claim, actor: str) -> None:
    claim.revision += 1
    claim.updated_at = utcnow()
    claim.updated_by = actor


def get_claim(session: Session, claim_id: str) -> Claim:
    claim = session.scalars(select(Claim).where(Claim.claim_id == claim_id)).one_or_none()
    if claim is None:
        raise NotFoundError(f"no claim {claim_id!r}")
    return claim


def revise_claim(session: Session, claim_id: str, changes: dict[str, Any], *, actor: str, reason: str) -> Claim:
    """An editor's change to a claim (audited, new revision). Unknown fields are an error."""
    claim = get_claim(session, claim_id)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InputError(f"cannot edit {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    if "verdict" in changes:
        changes = {**changes, "verdict": check_verdict(str(changes["verdict"]))}
    if "variants" in changes:
        changes = {**changes, "variants": parse_variants(changes["variants"])}
    if "text" in changes and not str(changes["text"]).strip():
        raise InputError("must not be empty", field="text")
    if all(getattr(claim, k) == v for k, v in changes.items()):
        return claim
    for key, value in changes.items():
        setattr(claim, key, value)
    _bump(claim, actor)
    _new_revision(session, claim, actor, reason, "claim.update")
    return claim


def set_status(session: Session, claim_id: str, status: str, *, actor: str, reason: str) -> Claim:
    """Retire (or reactivate) a claim: it stays, with its history, but is no longer matched."""
    if status not in STATUSES:
        raise InputError(f"expected one of {', '.join(STATUSES)}", field="status")
    claim = get_claim(session, claim_id)
    if claim.status != status:
        claim.status = status
        _bump(claim, actor)
        _new_revision(session, claim, actor, reason, "claim.retire" if status == "retired" else "claim.reactivate")
    return claim


def revisions(session: Session, claim: Claim) -> list[ClaimRevision]:
    return list(session.scalars(select(ClaimRevision).where(ClaimRevision.claim_pk == claim.id)
                                .order_by(ClaimRevision.revision.desc())))


def write_jsonl(records: Iterable[ClaimRecord], path: Path) -> int:
    """Write records in the import format (used for the shipped CED evidence base)."""
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            src = r.sources[0] if r.sources else {}
            row = {"claim_id": r.claim_id, "claim": r.text, "verdict": r.verdict, "evidence": r.evidence,
                   "source_url": src.get("url", ""), "source_title": src.get("title", ""),
                   "date": r.claim_date or "", "variants": r.variants, "author": r.author, "language": r.language}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n
