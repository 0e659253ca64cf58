"""One processing path: an analysed message becomes a case in its department, or waits in triage.

Why here: the analysis feature decides the *route* (department or triage queue) and knows nothing
about cases; this module turns routes into cases, for every channel:

* files and feeds — ``massline process PATH…`` (:func:`process_paths`: ingest → analyse → route)
  and ``massline analyze`` (:func:`process_messages`: analyse → route);
* the public form and Open311 — :func:`massline.serve.requests.receive_request` opens the case
  in the request's own transaction (routing pending) and :func:`massline.serve.requests.finish_routing`
  routes it afterwards, on the engine;
* the dispatcher's triage decision — ``massline.serve.workorders.on_triage_decision``.

A message routed automatically (``queue == "auto"``, confidence ≥ the threshold) or decided by
a dispatcher (``"decided"``) gets its case in the same transaction as its route; a message in
triage gets none until a dispatcher decides. :func:`open_routed_cases` is also the durable
follow-up: it opens whatever an earlier run (or a crash between two transactions) left without
a case. Nothing is opened twice: ``work_orders.message_id`` is unique in the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from massline.analyze.run import AnalyzeSummary, analyze_messages
from massline.core.config import Settings
from massline.db.models.message import AnalysisResult, Message
from massline.db.models.workorders import WorkOrder
from massline.serve.cases import Routed, message_categories, open_from_routing_many
from massline.serve.sla import SlaRules, load_sla_rules

#: Route queues whose message belongs to a department (auto-routed, or decided by a dispatcher).
ROUTED_QUEUES = frozenset({"auto", "decided"})
#: Cases opened per round of look-ups (messages, categories).
OPEN_CHUNK = 500


@dataclass
class ProcessSummary:
    """What one run did: the analysis summary, cases opened, messages waiting in triage."""

    analysis: AnalyzeSummary | None = None
    cases_opened: int = 0
    triage: int = 0
    by_department: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"cases_opened": self.cases_opened, "triage": self.triage,
                               "by_department": dict(sorted(self.by_department.items()))}
        if self.analysis is not None:
            out["analysis"] = self.analysis.to_dict()
        return out


def open_routed_cases(session: Session, message_ids: Sequence[int] | None = None, *,
                      summary: ProcessSummary | None = None, rules: SlaRules | None = None) -> ProcessSummary:
    """Open the case of every routed message (of ``message_ids``, default all) that has none yet.

    The case is received at the message's own time (留言时间, else when we stored it), assigned to
    the routed department, with the route's confidence and reason. Messages in triage are counted.
    """
    summary = summary or ProcessSummary()
    rules = rules or load_sla_rules(session=session)
    stmt = (select(AnalysisResult)
            .where(AnalysisResult.key == "route", AnalysisResult.current.is_(True),
                   ~exists().where(WorkOrder.message_id == AnalysisResult.message_id))
            .order_by(AnalysisResult.message_id))
    if message_ids is not None:
        if not message_ids:
            return summary
        stmt = stmt.where(AnalysisResult.message_id.in_(list(message_ids)))
    to_open: list[tuple[AnalysisResult, str]] = []
    for route in session.scalars(stmt).all():
        value: Mapping[str, Any] = route.value if isinstance(route.value, dict) else {}
        department = value.get("department")
        if value.get("queue") not in ROUTED_QUEUES or not department:
            summary.triage += 1
            continue
        to_open.append((route, str(department)))
    for start in range(0, len(to_open), OPEN_CHUNK):
        chunk = to_open[start : start + OPEN_CHUNK]
        # The chunk's messages and categories in two queries and its cases in one insert
        # (open_from_routing_many), instead of a query and a flush per case.
        # messages the analysis just loaded in this session come from its identity map, the rest in one query
        messages: dict[int, Message] = {}
        for route, _ in chunk:
            loaded = session.identity_map.get(identity_key(Message, route.message_id))
            if isinstance(loaded, Message):
                messages[route.message_id] = loaded
        missing = [r.message_id for r, _ in chunk if r.message_id not in messages]
        if missing:
            messages.update({m.id: m for m in session.scalars(select(Message).where(Message.id.in_(missing)))})
        categories = message_categories(session, messages.values())
        open_from_routing_many(session, [
            Routed(messages[route.message_id], department, route.confidence, route.reason,
                   categories.get(route.message_id)) for route, department in chunk], rules=rules)
        for _, department in chunk:
            summary.cases_opened += 1
            summary.by_department[department] = summary.by_department.get(department, 0) + 1
    return summary


def process_messages(settings: Settings, *, only_new: bool = True, batch_size: int = 64,
                     message_ids: Sequence[int] | None = None,
                     configs: Mapping[str, Mapping[str, Any]] | None = None,
                     progress: Callable[[int, int], None] | None = None) -> ProcessSummary:
    """Analyse stored messages and open the cases of the routed ones (each batch in one transaction).

    Ends with the follow-up sweep over all messages, so cases missing from earlier runs are opened too.
    """
    from massline.db.session import session_scope

    summary = ProcessSummary()

    def route_batch(session: Session, ids: list[int]) -> None:
        open_routed_cases(session, ids, summary=summary)

    summary.analysis = analyze_messages(settings, only_new=only_new, batch_size=batch_size, message_ids=message_ids,
                                        configs=configs, progress=progress, after_batch=route_batch)
    summary.triage = 0  # recounted below over the whole database
    with session_scope(settings.resolved_database_url()) as session:
        open_routed_cases(session, summary=summary)
    return summary


def process_paths(settings: Settings, paths: Sequence[str], *, profile: str | None = None,
                  mapping: Mapping[str, str] | None = None, batch_size: int = 64,
                  progress: Callable[[int, int], None] | None = None) -> tuple[Any, ProcessSummary]:
    """``massline process``: ingest files/folders/URLs, analyse every new message, open the routed cases.

    Returns (the intake report, the processing summary).
    """
    from massline.ingest.service import ingest_paths

    report = ingest_paths(settings, list(paths), profile=profile, mapping=dict(mapping or {}))
    return report, process_messages(settings, only_new=True, batch_size=batch_size, progress=progress)
