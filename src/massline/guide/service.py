"""What the commands run: messages from a file (ingested first, idempotently) or from the database.

Thin glue between intake, storage and the guide computations, shared by ``massline guide …`` and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from massline.core.config import Settings
from massline.core.errors import InputError
from massline.db.session import session_scope, upgrade
from massline.guide.corpus import GuideMessage, read_records
from massline.guide.store import load_messages
from massline.ingest.dates import parse_datetime
from massline.ingest.service import ingest_paths


@dataclass
class Loaded:
    messages: list[GuideMessage]
    users: dict[str, str] = field(default_factory=dict)  # external id → the file's 留言用户 (for the 泰迪杯 table)
    note: str = ""


def parse_bound(value: str | None, name: str) -> datetime | None:
    """``2019-08-01`` (Beijing time) or a full ISO time for ``--since``/``--until``."""
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise InputError(str(exc), field=name) from None


def load(settings: Settings, data: Path | None, *, since: datetime | None = None,
         until: datetime | None = None) -> Loaded:
    """With ``data``: ingest it (a re-run adds nothing) and return only its messages; else every stored message."""
    url = settings.resolved_database_url()
    upgrade(url)
    if data is None:
        with session_scope(url) as session:
            msgs = load_messages(session, since=since, until=until)
        return Loaded(msgs, note=f"{len(msgs)} stored messages")
    if not data.exists():
        raise InputError(f"no such file: {data}", field="--data")
    records = read_records(data)
    report = ingest_paths(settings, [data])
    ext = {r.external_id for r in records if r.external_id}
    users = {r.external_id: r.author for r in records if r.external_id and r.author}
    with session_scope(url) as session:
        msgs = load_messages(session, since=since, until=until, external_ids=ext)
    note = (f"{data.name}: {len(records)} records, {report.total('new')} new, {report.total('duplicate')} already "
            f"stored; ranking its {len(msgs)} messages")
    return Loaded(msgs, users, note)
