"""Bursts: sudden rises per issue, per district and per topic, detected online as messages arrive.

For each arriving message and each of its keys (its issue, its district, its topic) the detector counts the
key's messages in the last 24 hours (``observed``) and compares them with ``expected`` = the key's rate over
the previous :data:`BASELINE_DAYS` days (a Bayesian rate: a young key starts from the prior rate of its kind,
so a brand-new issue needs several messages, not one), times the weekday factor of the day (Sunday is quiet)
and the month factor (the archive's months differ). ``score`` = −log10 of the Poisson probability of seeing
at least ``observed``; an alert fires when the score and the count pass the kind's bar. While a key is
alerting (:data:`REFRACTORY` after its last alert) new messages extend the same alert instead of opening another.
The time of detection is the arrival of the message that crossed the bar — so delay is measured honestly.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from scipy.stats import poisson

from massline.guide.corpus import GuideMessage
from massline.guide.hot import LOCAL_TZ, Analysis, iso

WINDOW = timedelta(hours=24)
BASELINE_DAYS = 28
REFRACTORY = timedelta(days=3)
PRIOR_DAYS = 7.0
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


@dataclass(frozen=True)
class Bar:
    """When a key of one kind alerts: at least ``min_observed`` messages and a score of ``min_score``."""

    min_observed: int
    min_score: float
    prior_rate: float  # messages per day a key of this kind is assumed to get before it has history


BARS: dict[str, Bar] = {
    "issue": Bar(min_observed=4, min_score=4.0, prior_rate=0.02),
    "district": Bar(min_observed=8, min_score=6.0, prior_rate=1.0),
    "topic": Bar(min_observed=8, min_score=6.0, prior_rate=1.0),
}


@dataclass
class Seasonality:
    """Weekday and month factors (mean 1) from the archive's own daily counts."""

    weekday: list[float]
    month: dict[tuple[int, int], float]

    @classmethod
    def fit(cls, times: Sequence[datetime]) -> Seasonality:
        local = [t.astimezone(LOCAL_TZ) for t in times]
        days = Counter(t.date() for t in local)
        by_wd: list[list[int]] = [[] for _ in range(7)]
        if days:
            first, last = min(days), max(days)
            d = first
            while d <= last:
                by_wd[d.weekday()].append(days.get(d, 0))
                d += timedelta(days=1)
        means = [sum(v) / len(v) if v else 0.0 for v in by_wd]
        overall = sum(means) / 7 if any(means) else 1.0
        weekday = [((m + 1.0) / (overall + 1.0)) for m in means]
        months = Counter((t.year, t.month) for t in local)
        avg = sum(months.values()) / len(months) if months else 1.0
        return cls(weekday, {k: (v + 30.0) / (avg + 30.0) for k, v in months.items()})

    def factor(self, when: datetime) -> tuple[float, float]:
        local = when.astimezone(LOCAL_TZ)
        back = (local - timedelta(days=BASELINE_DAYS / 2))
        ratio = self.month.get((local.year, local.month), 1.0) / self.month.get((back.year, back.month), 1.0)
        return self.weekday[local.weekday()], ratio


@dataclass
class Alert:
    alert_id: str
    kind: str
    key: str
    label: str
    start: datetime
    detected_at: datetime
    members: list[int]  # indexes into the analysed messages
    score: float
    expected: float
    observed: int
    reasons: list[str]
    message_ids: list[int] = field(default_factory=list)
    external_ids: list[str | None] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"alert_id": self.alert_id, "label": self.label, "start": iso(self.start),
                "detected_at": iso(self.detected_at), "message_ids": self.message_ids,
                "external_ids": self.external_ids, "score": round(self.score, 2), "expected": round(self.expected, 3),
                "observed": self.observed, "reasons": self.reasons}


class BurstDetector:
    """Online detector; feed messages in time order with ``observe``; alerts accumulate in ``alerts``."""

    def __init__(self, seasonality: Seasonality, bars: dict[str, Bar] | None = None,
                 label_of: Callable[[str, str], str] | None = None) -> None:
        self.season = seasonality
        self.bars = bars or BARS
        self.label_of = label_of or (lambda kind, key: f"{kind} {key}")
        self.recent: dict[tuple[str, str], deque[tuple[datetime, int]]] = {}
        self.first_seen: dict[tuple[str, str], datetime] = {}
        self.open: dict[tuple[str, str], Alert] = {}
        self.alerts: list[Alert] = []

    def observe(self, index: int, when: datetime, keys: Sequence[tuple[str, str]]) -> list[Alert]:
        """Count message ``index`` under each ``(kind, key)``; returns alerts opened by it."""
        opened = []
        for kk in keys:
            dq = self.recent.setdefault(kk, deque())
            self.first_seen.setdefault(kk, when)
            dq.append((when, index))
            horizon = when - timedelta(days=BASELINE_DAYS) - WINDOW
            while dq and dq[0][0] < horizon:
                dq.popleft()
            alert = self.open.get(kk)
            if alert is not None and when - alert.detected_at <= REFRACTORY:
                alert.members.append(index)
                alert.observed += 1
                continue
            alert = self._check(kk, when, dq)
            if alert is not None:
                self.open[kk] = alert
                self.alerts.append(alert)
                opened.append(alert)
        return opened

    def _check(self, kk: tuple[str, str], when: datetime, dq: deque[tuple[datetime, int]]) -> Alert | None:
        bar = self.bars[kk[0]]
        cut = when - WINDOW
        window = [(t, i) for t, i in dq if t > cut]
        observed = len(window)
        if observed < bar.min_observed:
            return None
        base = len(dq) - observed
        history_days = min(float(BASELINE_DAYS), max((cut - self.first_seen[kk]).total_seconds() / 86400.0, 0.0))
        rate = (base + bar.prior_rate * PRIOR_DAYS) / (history_days + PRIOR_DAYS)
        wd, month = self.season.factor(when)
        expected = rate * wd * month
        p = float(poisson.sf(observed - 1, expected))
        score = -math.log10(max(p, 1e-300))
        if score < bar.min_score:
            return None
        local = when.astimezone(LOCAL_TZ)
        reasons = [
            f"{observed} messages in 24 h vs {expected:.2f} expected ({observed / max(expected, 1e-9):.0f}×), "
            f"Poisson p = {p:.1e}",
            f"baseline: {base} messages in the previous {history_days:.0f} days"
            + (" (young key: prior rate of its kind)" if history_days < BASELINE_DAYS else ""),
            f"seasonality: {WEEKDAYS[local.weekday()]} factor {wd:.2f}, month factor {month:.2f}",
        ]
        kind, key = kk
        return Alert(alert_id=f"B-{kind}-{key}-{local:%Y%m%d%H%M}", kind=kind, key=key,
                     label=self.label_of(kind, key), start=window[0][0], detected_at=when,
                     members=[i for _, i in window], score=score, expected=expected, observed=observed, reasons=reasons)


def message_keys(analysis: Analysis, index: int, topics: Sequence[int] | None = None) -> list[tuple[str, str]]:
    feats = analysis.feats[index]
    keys = [("issue", str((analysis.online or analysis.assigned)[index]))]
    district = feats.district or feats.city
    if district:
        keys.append(("district", district))
    if topics is not None and topics[index] >= 0:
        keys.append(("topic", str(topics[index])))
    return keys


def detect(analysis: Analysis, *, topics: Sequence[int] | None = None,
           topic_labels: Sequence[str] | None = None,
           season: Seasonality | None = None) -> list[Alert]:
    """Run the online detector over the analysed messages in arrival (time) order."""
    msgs: list[GuideMessage] = analysis.messages
    season = season or Seasonality.fit([m.created_at for m in msgs])
    first_of: dict[int, int] = {}
    for i, number in enumerate(analysis.online or analysis.assigned):
        first_of.setdefault(number, i)

    def label_of(kind: str, key: str) -> str:
        if kind == "district":
            return f"{key} 留言激增"
        if kind == "topic" and topic_labels is not None:
            return f"话题「{topic_labels[int(key)]}」升温"
        if kind == "issue":
            first = msgs[first_of[int(key)]]
            return f"问题「{first.title[:30]}」集中反映"
        return f"{kind} {key}"

    detector = BurstDetector(season, label_of=label_of)
    for i, m in enumerate(msgs):
        detector.observe(i, m.created_at, message_keys(analysis, i, topics))
    for alert in detector.alerts:
        members = sorted(set(alert.members), key=lambda i: (msgs[i].created_at, msgs[i].id))
        alert.members = members
        alert.message_ids = [msgs[i].id for i in members]
        alert.external_ids = [msgs[i].external_id for i in members]
        if alert.kind == "issue":
            alert.alert_id = f"B-issue-{msgs[first_of[int(alert.key)]].id}-" \
                             f"{alert.detected_at.astimezone(LOCAL_TZ):%Y%m%d%H%M}"
        users = len({msgs[i].author or f"#{msgs[i].id}" for i in members})
        alert.reasons.append(f"{users} distinct writers among {len(members)} messages")
    return detector.alerts
