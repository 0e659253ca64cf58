"""What the commands run: messages from a file (ingested first, idempotently) or from the database.

Thin glue between intake, storage and the guide computations, shared by ``massline guide …`` and the tests.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from massline.core.config import Settings
from massline.core.errors import InputError
from massline.db.session import session_scope, upgrade
from massline.guide.corpus import GuideMessage, read_records
from massline.guide.hot import Analysis
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


def topic_model_dir(settings: Settings) -> Path:
    return settings.models_dir() / "guide_topics"


@dataclass
class TopicView:
    """Topics over time for a set of messages, as the CLI and the dashboard show them."""

    model_note: str
    topics: list[dict[str, Any]]
    periods: list[str]
    other: list[int]


def topic_view(settings: Settings | None, analysis: Analysis, *, period: str = "month", refit: bool = False,
               k: int | None = None) -> TopicView:
    """Assign the analysed messages to the saved topic model (fit and save it when missing or on ``refit``)."""
    from massline.guide.topics import LABEL_WORDS, TopicModel, problem_words, trends

    docs = [problem_words(f) for f in analysis.feats]
    directory = topic_model_dir(settings) if settings is not None else None
    model = None if refit or directory is None else TopicModel.load(directory)
    if model is None:
        model = TopicModel.fit(docs, [m.title for m in analysis.messages], k=k)
        note = f"fitted {model.k} topics on {len(docs)} messages"
        if directory is not None:
            model.save(directory)
            note += f", saved to {directory}"
        assigned = model.assign(docs)
    else:
        assigned = model.update(docs)
        if directory is not None:
            model.save(directory)
        note = f"assigned {len(docs)} messages to the saved {model.k} topics (no refit; --refit to refit)"
    tr = trends(assigned, [m.created_at for m in analysis.messages], model.k, period)
    counts = Counter(assigned)
    topics = [{"topic_id": t, "label": model.labels[t], "words": model.top_words[t][:LABEL_WORDS],
               "title": model.titles[t], "count": counts.get(t, 0), "status": tr["status"][t],
               "series": tr["series"][t]} for t in range(model.k)]
    topics.sort(key=lambda x: -int(x["count"]))
    return TopicView(note, topics, tr["periods"], tr["other"])
