"""Hot issues: cluster messages into issues, rank them by the heat index, describe each in one line.

This module is the one entry point the CLI, the pages and the evaluation share (``analyse`` then
``rank_issues``); it holds no database code, so the same ranking runs on a file, on stored messages
and on the benchmark's synthetic corpus.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from massline.guide.corpus import GuideMessage
from massline.guide.heat import HeatInput, heat_index, heat_parts
from massline.guide.issues import Issue, IssueClusterer, cluster_issues, consolidate, document_frequencies
from massline.guide.text import FINE_LEVELS, Features, features, warm
from massline.guide.vectors import DocFreq

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_LEAD = re.compile(r"^(关于|反映|投诉|举报|咨询|请问|建议|请求|恳请|强烈要求|要求|希望|询问|问问|再次|二次|紧急|"
                   r"求助|呼吁)+")
_PUNCT_TAIL = re.compile(r"[？?！!。，,、\s]+$")
LABEL_PROBLEM_CHARS = 28

Progress = Callable[[str, int, int], None]


@dataclass
class Analysis:
    """Messages (time-ordered) with their features and issue assignment — computed once, read by every view."""

    messages: list[GuideMessage]
    feats: list[Features]
    df: DocFreq
    clusterer: IssueClusterer
    assigned: list[int]  # issue of each message after consolidation (what pages and rankings show)
    online: list[int] = field(default_factory=list)  # issue of each message when it arrived (bursts use this)

    @property
    def issues(self) -> list[Issue]:
        return self.clusterer.issues


@dataclass
class HotIssue:
    """One ranked issue, in the shape of the ``massline guide hot`` JSON (plus what pages need)."""

    rank: int
    issue_id: str
    heat: float
    heat_parts: dict[str, float]
    label: str
    place: str
    problem: str
    start: datetime
    end: datetime
    places: list[str]
    people: list[str]
    message_ids: list[int]
    external_ids: list[str | None]
    likes: int
    dislikes: int
    users: int
    members: list[int] = field(default_factory=list)  # indexes into Analysis.messages, time order

    def as_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank, "issue_id": self.issue_id, "heat": self.heat, "heat_parts": self.heat_parts,
            "label": self.label, "start": iso(self.start), "end": iso(self.end), "places": self.places,
            "people": self.people, "message_ids": self.message_ids, "external_ids": self.external_ids,
            "likes": self.likes, "dislikes": self.dislikes, "users": self.users,
        }


def iso(when: datetime) -> str:
    """ISO 8601 in Beijing time with its offset (``2019-08-01T16:20:02+08:00``)."""
    return when.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


def analyse(messages: Sequence[GuideMessage], progress: Progress | None = None) -> Analysis:
    """Segment every message once and form issues (time order)."""
    warm()
    ordered = sorted(messages, key=lambda m: (m.created_at, m.id))
    feats = []
    for n, m in enumerate(ordered, start=1):
        feats.append(features(m))
        if progress is not None and (n % 200 == 0 or n == len(ordered)):
            progress("segmenting", n, len(ordered))
    return analyse_features(ordered, feats)


def analyse_features(messages: Sequence[GuideMessage], feats: Sequence[Features]) -> Analysis:
    """Form issues from already segmented messages (re-used by the burst evaluation's injections)."""
    pairs = sorted(zip(messages, feats, strict=True), key=lambda p: (p[0].created_at, p[0].id))
    ordered, ordered_feats = [p[0] for p in pairs], [p[1] for p in pairs]
    df = document_frequencies(ordered_feats)
    clusterer, online = cluster_issues(ordered, ordered_feats, df)
    return Analysis(ordered, ordered_feats, df, clusterer, consolidate(clusterer, online), online)


def issue_id(first: GuideMessage) -> str:
    """Stable while messages are added: named after the issue's first message."""
    return f"I{first.id}"


def _place(feats: Sequence[Features]) -> tuple[str, list[str]]:
    """The issue's place as ``A5区魅力之城小区`` (district + most named fine place) and every place named."""
    fine: Counter[str] = Counter()
    units: Counter[str] = Counter()
    allp: Counter[str] = Counter()
    for f in feats:
        for name, level in f.places:
            allp[name] += 1
            if level in FINE_LEVELS:
                fine[name] += 1
        if f.district:
            units[f.district] += 1
        elif f.city:
            units[f.city] += 1
    keys: Counter[str] = Counter(k for f in feats for k in f.keys)
    top_fine = fine.most_common(1)[0][0] if fine else ""
    top_key = keys.most_common(1)[0][0] if keys else ""
    name = top_fine if top_fine and (not top_key or top_key in top_fine or fine[top_fine] >= keys[top_key]) else top_key
    unit = units.most_common(1)[0][0] if units else ""
    return (unit + name if name and not name.startswith(unit) else name or unit), [p for p, _ in allp.most_common(10)]


def _problem(title: str, places: Sequence[str]) -> str:
    """A representative title without its lead verb and place names: ``临街门面油烟噪音扰民``."""
    text = _LEAD.sub("", title.strip())
    for p in sorted(places, key=len, reverse=True):
        text = text.replace(p, "")
    text = re.sub(r"^[A-Z]\d{0,2}[市区县]", "", text)
    text = _LEAD.sub("", text.lstrip("的在和、，, "))
    text = _PUNCT_TAIL.sub("", text)
    return (text or title)[:LABEL_PROBLEM_CHARS]


def _representative(analysis: Analysis, issue: Issue) -> GuideMessage:
    best, best_cos = issue.members[0], -1.0
    for i in issue.members:
        cos = issue.problem.cosine(analysis.clusterer.vectors(analysis.feats[i])[1])
        if cos > best_cos:
            best, best_cos = i, cos
    return analysis.messages[best]


def describe(analysis: Analysis, issue: Issue, parts: dict[str, float], rank: int) -> HotIssue:
    members = sorted(issue.members, key=lambda i: (analysis.messages[i].created_at, analysis.messages[i].id))
    msgs = [analysis.messages[i] for i in members]
    feats = [analysis.feats[i] for i in members]
    place, places = _place(feats)
    people_counts: Counter[str] = Counter(p for f in feats for p in f.people)
    people = [p for p, c in people_counts.most_common(4) if c >= max(1, len(msgs) // 4)]
    problem = _problem(_representative(analysis, issue).title, [*places, *(k for f in feats for k in f.keys)])
    label = f"{place or '、'.join(people[:2]) or '—'} {problem}".strip()
    return HotIssue(
        rank=rank, issue_id=issue_id(msgs[0]), heat=heat_index(parts), heat_parts=parts, label=label, place=place,
        problem=problem, start=msgs[0].created_at, end=msgs[-1].created_at, places=places, people=people,
        message_ids=[m.id for m in msgs], external_ids=[m.external_id for m in msgs],
        likes=sum(m.likes for m in msgs), dislikes=sum(m.dislikes for m in msgs),
        users=len({m.author or f"#{m.id}" for m in msgs}), members=members)


def rank_issues(analysis: Analysis, *, top: int | None = 10, now: datetime | None = None,
                min_messages: int = 1) -> list[HotIssue]:
    """Every issue with at least ``min_messages`` messages, hottest first (ties: more messages, earlier start)."""
    msgs = analysis.messages
    if not msgs:
        return []
    now = now or msgs[-1].created_at
    mean_reactions = sum(m.likes + m.dislikes for m in msgs) / len(msgs)
    scored = []
    for issue in analysis.issues:
        if issue.size < max(min_messages, 1):
            continue
        members = [msgs[i] for i in issue.members]
        places = {n for i in issue.members for n, lv in analysis.feats[i].places if lv in FINE_LEVELS}
        parts = heat_parts(HeatInput(
            times=[m.created_at for m in members], users=len({m.author or f"#{m.id}" for m in members}),
            likes=sum(m.likes for m in members), dislikes=sum(m.dislikes for m in members), places=len(places),
        ), now=now, mean_reactions=mean_reactions)
        scored.append((heat_index(parts), issue.size, -min(m.created_at.timestamp() for m in members), issue, parts))
    scored.sort(key=lambda s: (-s[0], -s[1], -s[2]))
    chosen = scored if top is None else scored[:top]
    return [describe(analysis, issue, parts, rank) for rank, (_, _, _, issue, parts) in enumerate(chosen, start=1)]
