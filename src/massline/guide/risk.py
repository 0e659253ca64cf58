"""Risk of an issue or an alert, always with its reasons (a score without reasons is never shown).

Cue families (``massline.analyze.cues``, the same rule engine the urgency and sentiment components use, so
every point can be traced to a word): collective action (集体, 联名, 维权, 上访 …), safety (燃气, 坍塌, 触电 …),
urgency, strong negative sentiment, vulnerable groups, and repeat complaints (再次, 仍然 … or a message after
a closed case of the same issue). Each family adds its weight times the share of member messages that show it
(at least one message counts, so one 燃气泄漏 report is not diluted away), plus spread over people and places.
Levels: 高 from :data:`HIGH`, 中 from :data:`MEDIUM`. Why rules: there are no labelled risk outcomes to learn
from, and an analyst must see the words behind the score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from massline.analyze.cues import CueSet, cues
from massline.guide.bursts import Alert
from massline.guide.hot import Analysis, HotIssue

FAMILIES: dict[str, tuple[str, float]] = {
    "collective": ("集体|联名|维权|上访|群访|聚集|堵路|拉横幅|横幅|静坐|游行|罢工|讨薪|讨说法|群体|围堵|信访", 3.0),
    "safety": ("燃气|煤气|天然气|坍塌|倒塌|触电|漏电|火灾|起火|爆炸|危房|塌陷|溺水|中毒|高压线|裂缝|消防通道|"
               "安全隐患", 3.0),
    "urgency": ("紧急|危险|救命|生命安全|人命|立即|马上|刻不容缓|十万火急|迫在眉睫|急需", 2.0),
    "sentiment": ("愤怒|气愤|忍无可忍|绝望|无奈|痛苦|投诉无门|没人管|不作为|寒心|欺骗|坑害|霸王|黑心|强制", 1.5),
    "vulnerable": ("老人|儿童|孩子|小孩|学生|残疾|孕妇|留守|低保|贫困户|病人|患者|婴儿|幼儿", 1.5),
    "repeat": ("再次|二次|又一次|多次反映|仍然|依然|仍未|至今未|还是没有|一直没有|屡次", 1.0),
}
NAMES = {"collective": "collective-action words", "safety": "safety words", "urgency": "urgency words",
         "sentiment": "strong negative sentiment", "vulnerable": "vulnerable groups", "repeat": "repeat complaints"}
HIGH = 6.0
MEDIUM = 3.0


@dataclass
class Risk:
    score: float
    level: str  # 高 | 中 | 低
    reasons: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def cue_set() -> CueSet:
    return CueSet([c for fam, (words, _) in FAMILIES.items() for c in cues(fam, words)], title_weight=1.0)


def score_messages(texts: Sequence[tuple[str, str]], *, users: int, places: int,
                   closed_before: datetime | None = None, last: datetime | None = None) -> Risk:
    """Risk of a group of ``(title, body)`` messages; ``closed_before`` = a linked case closed before ``last``."""
    if not texts:
        return Risk(0.0, "低", ["no messages"])
    shown: dict[str, list[str]] = {f: [] for f in FAMILIES}
    counts = dict.fromkeys(FAMILIES, 0)
    cs = cue_set()
    for title, body in texts:
        hits = cs.score(title, body).hits
        for fam in {h.label for h in hits}:
            counts[fam] += 1
        for h in hits:
            if h.cue not in shown[h.label]:
                shown[h.label].append(h.cue)
    n = len(texts)
    score = 0.0
    reasons = []
    for fam, (_, weight) in FAMILIES.items():
        if counts[fam]:
            share = max(counts[fam] / n, 0.34)
            score += weight * share
            reasons.append(f"{NAMES[fam]} in {counts[fam]}/{n} messages: {'、'.join(shown[fam][:5])} "
                           f"(+{weight * share:.1f})")
    if users >= 10 or places >= 4:
        score += 2.0
        reasons.append(f"spread: {users} people, {places} places (+2.0)")
    elif users >= 5 or places >= 2:
        score += 1.0
        reasons.append(f"spread: {users} people, {places} places (+1.0)")
    if closed_before is not None and last is not None and last > closed_before:
        score += 2.0
        reasons.append(f"new messages after a linked case was closed on {closed_before:%Y-%m-%d} (+2.0)")
    if not reasons:
        reasons.append("no risk cue found")
    level = "高" if score >= HIGH else "中" if score >= MEDIUM else "低"
    return Risk(round(score, 2), level, reasons)


def score_issue(analysis: Analysis, issue: HotIssue, closed_before: datetime | None = None) -> Risk:
    msgs = [analysis.messages[i] for i in issue.members]
    return score_messages([(m.title, m.body) for m in msgs], users=issue.users, places=len(issue.places),
                          closed_before=closed_before, last=issue.end)


def score_alert(analysis: Analysis, alert: Alert) -> Risk:
    msgs = [analysis.messages[i] for i in alert.members]
    places = {n for i in alert.members for n, _ in analysis.feats[i].places}
    return score_messages([(m.title, m.body) for m in msgs], users=len({m.author for m in msgs}),
                          places=len(places))
