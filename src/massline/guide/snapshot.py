"""What the guide pages show, computed from stored messages for one scope (whole city or one department).

One snapshot = hot issues (with heat parts and risk), alerts (with a 14-day sparkline of their key) and
topics over time (monthly counts for the stacked area). Computing it means segmenting every message, so the
pages keep it per installation and scope until the set of messages changes (:func:`cached_snapshot`).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from massline.db.models.message import Message
from massline.guide.bursts import Alert, detect, message_keys
from massline.guide.hot import LOCAL_TZ, Analysis, HotIssue, analyse, rank_issues
from massline.guide.risk import Risk, score_alert, score_issue
from massline.guide.service import TopicView, topic_view
from massline.guide.store import load_messages

TOP_ISSUES = 200
SPARK_DAYS = 14
MAX_ALERTS = 50
TOPIC_PERIODS = 24
CHART_TOPICS = 10


@dataclass
class Snapshot:
    analysis: Analysis
    issues: list[HotIssue]
    issue_risk: dict[str, Risk]
    alerts: list[Alert]
    alert_risk: dict[str, Risk]
    sparks: dict[str, list[int]]
    topics: TopicView | None
    by_id: dict[str, HotIssue] = field(default_factory=dict)

    def chart(self) -> dict[str, Any]:
        """Stacked-area data: the biggest topics per month (the rest summed as 其他)."""
        if self.topics is None:
            return {"periods": [], "series": []}
        periods = self.topics.periods[-TOPIC_PERIODS:]
        n = len(periods)
        shown = self.topics.topics[:CHART_TOPICS]
        series = [{"name": t["label"], "data": t["series"][-n:]} for t in shown]
        rest = [sum(t["series"][-n:][i] for t in self.topics.topics[CHART_TOPICS:]) + self.topics.other[-n:][i]
                for i in range(n)]
        series.append({"name": "其他", "data": rest})
        return {"periods": periods, "series": series}


def _sparks(analysis: Analysis, alerts: list[Alert]) -> dict[str, list[int]]:
    """Daily counts of each alert's key over the :data:`SPARK_DAYS` days up to its detection."""
    out = {}
    for alert in alerts:
        end = alert.detected_at.astimezone(LOCAL_TZ).date()
        counts: Counter[int] = Counter()
        for i, m in enumerate(analysis.messages):
            if (alert.kind, alert.key) in message_keys(analysis, i):
                back = (end - m.created_at.astimezone(LOCAL_TZ).date()).days
                if 0 <= back < SPARK_DAYS:
                    counts[SPARK_DAYS - 1 - back] += 1
        out[alert.alert_id] = [counts.get(d, 0) for d in range(SPARK_DAYS)]
    return out


def compute_snapshot(session: Session, *, department_id: int | None = None) -> Snapshot:
    messages = load_messages(session, department_id=department_id)
    analysis = analyse(messages)
    issues = rank_issues(analysis, top=TOP_ISSUES)
    alerts = sorted(detect(analysis), key=lambda a: a.detected_at, reverse=True)[:MAX_ALERTS]
    topics = topic_view(None, analysis) if len(messages) >= 10 else None
    return Snapshot(analysis=analysis, issues=issues, issue_risk={h.issue_id: score_issue(analysis, h) for h in issues},
                    alerts=alerts, alert_risk={a.alert_id: score_alert(analysis, a) for a in alerts},
                    sparks=_sparks(analysis, alerts), topics=topics, by_id={h.issue_id: h for h in issues})


_CACHE: dict[tuple[str, int | None], tuple[tuple[int, int | None, Any], Snapshot]] = {}
_LOCK = threading.Lock()


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


def cached_snapshot(session: Session, *, department_id: int | None = None) -> Snapshot:
    """The snapshot for this scope, recomputed only when messages were added or changed."""
    key = (str(session.get_bind().engine.url), department_id)
    stamp = session.execute(select(func.count(Message.id), func.max(Message.id), func.max(Message.received_at))).one()
    version = (int(stamp[0]), stamp[1], stamp[2])
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    snap = compute_snapshot(session, department_id=department_id)
    with _LOCK:
        _CACHE[key] = (version, snap)
    return snap


def spark_points(values: list[int], width: int = 112, height: int = 24) -> str:
    """SVG polyline points for a sparkline (drawn server-side: no script needed for a dozen tiny charts)."""
    if not values:
        return ""
    top = max(max(values), 1)
    step = width / max(len(values) - 1, 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(values))



