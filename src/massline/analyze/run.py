"""Running the analysis pipeline over stored messages and saving what it found.

Why here and not in the CLI: tests, the demo and the web app call the same function. Results
of messages a dispatcher has decided keep the dispatcher's category/route/department (a
model re-run must not overrule a person); every other key gets the new model's rows and the
old rows stay, marked not current.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from massline.analyze.classify.threshold import effective_threshold
from massline.analyze.components import ANALYZE_PIPELINE
from massline.analyze.routing.table import current_rules, department_names
from massline.analyze.routing.triage import decided_message_ids
from massline.claims.desk import queue_reviews
from massline.claims.service import claims_config
from massline.core.config import Settings
from massline.core.errors import InputError
from massline.core.types import Doc, Result
from massline.db.models.message import AnalysisResult, Message
from massline.db.session import session_scope
from massline.pipeline.engine import Pipeline, build_pipeline
from massline.store.results import save_results_many

HUMAN_KEYS = frozenset({"category", "route", "department"})


@dataclass
class AnalyzeSummary:
    messages: int = 0
    written: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    queues: Counter[str] = field(default_factory=Counter)
    kept_human: int = 0
    run_id: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def auto_share(self) -> float:
        total = sum(self.queues.values())
        return self.queues.get("auto", 0) / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"messages": self.messages, "written": self.written, "categories": dict(self.categories),
                "queues": dict(self.queues), "auto_share": round(self.auto_share, 4), "kept_human": self.kept_human,
                "run_id": self.run_id, "timings": {k: round(v, 3) for k, v in self.timings.items()}}


def message_doc(message: Message) -> Doc:
    """A Doc from a stored message: the cleaned title and body, the original kept."""
    return Doc(text=message.body or "", original=message.original or message.body or "", title=message.title,
               content_type=message.content_type, language=message.language, meta=dict(message.meta or {}),
               message_id=message.id, external_id=message.external_id)


#: A message counts as analysed once it has a current result under this key (routing runs last
#: and always writes it; intake and cleaning write other keys such as ``language``).
ANALYSED_KEY = "route"


def select_message_ids(session: Session, only_new: bool = True) -> list[int]:
    """Ids to analyse: all, or those the analysis pipeline has not routed yet."""
    query = select(Message.id).order_by(Message.id)
    if only_new:
        query = query.where(~exists().where(AnalysisResult.message_id == Message.id,
                                            AnalysisResult.key == ANALYSED_KEY, AnalysisResult.current.is_(True)))
    return list(session.scalars(query))


def build_analyze_pipeline(settings: Settings, session: Session, names: Sequence[str] = ANALYZE_PIPELINE,
                           configs: Mapping[str, Mapping[str, Any]] | None = None) -> Pipeline:
    """The pipeline with the database routing rules, the settings' threshold and models directory."""
    merged: dict[str, dict[str, Any]] = {
        "analyze.category": {"models_dir": settings.models_dir()},
        "analyze.route": {"rules": current_rules(session), "threshold": effective_threshold(settings)[0],
                          "names": department_names(session)},
        "analyze.claims": claims_config(settings, session),
    }
    for name, config in (configs or {}).items():
        merged.setdefault(name, {}).update(config)
    return build_pipeline(names, {n: c for n, c in merged.items() if n in names})


def analyze_batch(session: Session, pipeline: Pipeline, ids: Sequence[int], summary: AnalyzeSummary) -> list[int]:
    """Analyse the stored messages ``ids`` in ``session`` (the caller commits), add to ``summary`` and
    return the ids analysed.

    Shared by :func:`analyze_messages` and the background engine's chunk task, so both keep
    dispatcher decisions, queue uncertain claim matches for review and write results the same way.
    """
    chunk = list(ids)
    messages = {m.id: m for m in session.scalars(select(Message).where(Message.id.in_(chunk)))}
    docs = pipeline.pipe([message_doc(messages[i]) for i in chunk if i in messages])
    human = decided_message_ids(session, chunk)
    to_save: dict[int, list[Result]] = {}
    for doc in docs:
        if doc.message_id is None:  # cannot happen: every doc comes from a stored message
            continue
        results = doc.results
        if doc.message_id in human:
            results = [r for r in results if r.key not in HUMAN_KEYS]
            summary.kept_human += 1
        else:
            category = doc.result("category")
            route = doc.result("route")
            if category is not None:
                summary.categories[str(category.value)] += 1
            if route is not None and isinstance(route.value, dict):
                summary.queues[str(route.value.get("queue"))] += 1
        to_save[doc.message_id] = results
        claim = doc.result("claim_match")
        if claim is not None:
            queue_reviews(session, doc.message_id, claim.value, claim.confidence)
        message = messages[doc.message_id]
        if doc.meta.get("district") and (message.meta or {}).get("district") != doc.meta["district"]:
            message.meta = {**(message.meta or {}), "district": doc.meta["district"]}
    summary.written += save_results_many(session, to_save)
    summary.messages += len(docs)
    return list(to_save)


def analyze_messages(
    settings: Settings,
    *,
    only_new: bool = True,
    batch_size: int = 64,
    message_ids: Sequence[int] | None = None,
    configs: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    after_batch: Callable[[Session, list[int]], None] | None = None,
) -> AnalyzeSummary:
    """Analyse stored messages in batches (one transaction per batch) and save the results.

    ``configs`` overrides component configs (e.g. ``{"analyze.category": {"model": m}}`` in tests).
    ``progress(done, total)`` is called after each batch. ``after_batch(session, message_ids)`` runs
    inside each batch's transaction once its results are saved — how ``massline.serve.process``
    opens the routed messages' cases atomically with their routes (analysis itself knows nothing
    of cases). Raises ``ModelNotTrainedError`` with a
    hint to run ``massline train classify`` before touching any message when no model exists.
    """
    if batch_size < 1:
        raise InputError("batch size must be at least 1", field="batch_size")
    url = settings.resolved_database_url()
    summary = AnalyzeSummary(run_id=uuid.uuid4().hex[:12])
    with session_scope(url) as session:
        ids = list(message_ids) if message_ids is not None else select_message_ids(session, only_new)
        pipeline = build_analyze_pipeline(settings, session, configs=configs)
    total = len(ids)
    for start in range(0, total, batch_size):
        chunk = ids[start : start + batch_size]
        with session_scope(url) as session:
            done = analyze_batch(session, pipeline, chunk, summary)
            if after_batch is not None:
                session.flush()
                after_batch(session, done)
        if progress is not None:
            progress(min(start + batch_size, total), total)
    summary.timings = dict(pipeline.timings)
    return summary
