"""Issues: one problem at one place or among one group, formed online by single-pass clustering.

How: messages arrive in time order. A message's candidates are the open issues that share an entity key
with it (a fine place such as ``魅力之城`` or an institution such as ``经济学院``, see ``guide.text``) or one
of its three rarest title words. It joins the most similar candidate when the cosine to the candidate's
centroid is at least :data:`JOIN_WITH_KEY` (a shared place/institution) or :data:`JOIN_TEXT_ONLY` (wording
alone), else it opens a new issue. Why not a global clustering: an issue must absorb a new message the
moment it arrives (burst detection runs on issues) without a refit, and candidate lookup keeps the cost
per message constant, so a million messages take linear time and bounded memory.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from massline.guide.corpus import GuideMessage
from massline.guide.text import Features
from massline.guide.vectors import Centroid, DocFreq, Vector

#: Cosine of the *problem words* (place names left out) needed to join an issue that shares a place key.
JOIN_WITH_KEY = 0.2
#: Cosine of all words needed to join an issue without a shared place key.
JOIN_TEXT_ONLY = 0.5
#: A message more than this long after an issue's last message starts a new issue (longer when a key is shared:
#: a problem at one estate can drag on for years).
MAX_GAP = timedelta(days=180)
MAX_GAP_WITH_KEY = timedelta(days=730)
RARE_TITLE_WORDS = 3
CENTROID_WORDS = 300


@dataclass
class Issue:
    """A group of messages about one problem; ``keys`` counts the entity keys its members named."""

    number: int
    centroid: Centroid = field(default_factory=Centroid)
    problem: Centroid = field(default_factory=Centroid)  # the same without place names
    members: list[int] = field(default_factory=list)  # indexes into the message list
    keys: Counter[str] = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None
    closed: bool = False  # evicted from the online state (too old to be joined); members stay

    @property
    def size(self) -> int:
        return len(self.members)


class IssueClusterer:
    """Online issue assignment; ``add`` returns the issue number of each message as it arrives."""

    def __init__(self, df: DocFreq) -> None:
        self.df = df
        self.issues: list[Issue] = []
        self._by_key: dict[str, set[int]] = {}
        self._by_word: dict[str, set[int]] = {}
        self._open: list[int] = []  # issues not yet evicted (see ``evict``)
        self._checked = 0

    def _candidates(self, feats: Features, when: datetime) -> set[int]:
        found: set[int] = set()
        for key in (*feats.keys, *feats.body_keys):
            found |= self._by_key.get(key, set())
        for word in self._rare(feats.title_words):
            found |= self._by_word.get(word, set())
        return {i for i in found if not self.issues[i].closed
                and ((last := self.issues[i].last) is None or when - last <= MAX_GAP_WITH_KEY)}

    def _rare(self, words: Sequence[str]) -> list[str]:
        return sorted(set(words), key=lambda w: -self.df.idf(w))[:RARE_TITLE_WORDS]

    def vectors(self, feats: Features) -> tuple[Vector, Vector]:
        """(all words, problem words = without place names) as unit TF-IDF vectors."""
        places = {name for name, _ in feats.places}
        return self.df.vector(feats.words), self.df.vector(w for w in feats.words if w not in places)

    def best_issue(self, feats: Features, vecs: tuple[Vector, Vector], when: datetime) -> tuple[int, float]:
        """The issue a message would join (``-1`` for none) and its similarity; changes nothing."""
        vec, problem = vecs
        mine = set(feats.keys) | set(feats.body_keys)
        best, best_score = -1, 0.0
        for number in self._candidates(feats, when):
            issue = self.issues[number]
            shared = any(k in issue.keys for k in mine)
            last = issue.last
            if shared:
                score = issue.problem.cosine(problem)
                ok = score >= JOIN_WITH_KEY
            elif feats.keys and issue.keys:
                continue  # both name a place and it is not the same place: another issue
            else:
                score = issue.centroid.cosine(vec)
                ok = score >= JOIN_TEXT_ONLY and (last is None or when - last <= MAX_GAP)
            if ok and score > best_score:
                best, best_score = number, score
        return best, best_score

    def add(self, index: int, feats: Features, vecs: tuple[Vector, Vector], when: datetime) -> int:
        """Put message ``index`` into the best matching issue (or a new one); returns the issue number."""
        mine = set(feats.keys) | set(feats.body_keys)
        best, _ = self.best_issue(feats, vecs, when)
        if best < 0:
            best = len(self.issues)
            self.issues.append(Issue(number=best))
        issue = self.issues[best]
        issue.centroid.add(vecs[0])
        issue.problem.add(vecs[1])
        if issue.size % 50 == 49:
            issue.centroid.prune(CENTROID_WORDS)
            issue.problem.prune(CENTROID_WORDS)
        issue.members.append(index)
        issue.keys.update(feats.keys)
        issue.keys.update(feats.body_keys)
        issue.first = when if issue.first is None else min(issue.first, when)
        issue.last = when if issue.last is None else max(issue.last, when)
        for key in mine:
            self._by_key.setdefault(key, set()).add(best)
        for word in self._rare(feats.title_words):
            self._by_word.setdefault(word, set()).add(best)
        return best


    def evict(self, now: datetime) -> int:
        """Drop the centroids of issues nobody can join any more (memory bounded on long streams).

        A single-message issue older than :data:`MAX_GAP` can only be joined through a shared key, which is
        rare; it is closed then. Any issue older than :data:`MAX_GAP_WITH_KEY` is closed. Returns how many.
        """
        closed = 0
        still_open = []
        for number in range(self._checked, len(self.issues)):
            self._open.append(number)
        self._checked = len(self.issues)
        for number in self._open:
            issue = self.issues[number]
            age = now - issue.last if issue.last is not None else now - now
            if age > MAX_GAP_WITH_KEY or (issue.size == 1 and age > MAX_GAP):
                issue.closed = True
                issue.centroid = Centroid()
                issue.problem = Centroid()
                closed += 1
            else:
                still_open.append(number)
        self._open = still_open
        return closed


def document_frequencies(all_features: Iterable[Features]) -> DocFreq:
    df = DocFreq()
    for f in all_features:
        df.add(f.words)
    return df


def cluster_issues(messages: Sequence[GuideMessage], feats: Sequence[Features],
                   df: DocFreq | None = None) -> tuple[IssueClusterer, list[int]]:
    """Cluster time-ordered ``messages`` into issues; returns the clusterer and each message's issue number."""
    df = df or document_frequencies(feats)
    clusterer = IssueClusterer(df)
    order = sorted(range(len(messages)), key=lambda i: (messages[i].created_at, messages[i].id))
    assigned = [0] * len(messages)
    for i in order:
        assigned[i] = clusterer.add(i, feats[i], clusterer.vectors(feats[i]), messages[i].created_at)
    return clusterer, assigned


#: Problem-word cosine at which two issues named after the same place are merged by :func:`consolidate`.
MERGE_SAME_KEY = 0.12


def _centroid_cosine(a: Centroid, b: Centroid) -> float:
    if a.norm2 <= 0 or b.norm2 <= 0:
        return 0.0
    small, large = (a.total, b.total) if len(a.total) < len(b.total) else (b.total, a.total)
    return sum(v * large.get(w, 0.0) for w, v in small.items()) / math.sqrt(a.norm2 * b.norm2)


def _main_key(issue: Issue) -> str | None:
    if not issue.keys:
        return None
    key, count = issue.keys.most_common(1)[0]
    return key if count * 2 >= issue.size else None


def consolidate(clusterer: IssueClusterer, assigned: list[int]) -> list[int]:
    """Merge issues named after the same place whose problems are alike (batch step before ranking).

    Online assignment sees a message once, against the issues of that moment; two early messages about the
    same estate with different wording (油烟 / 噪音 from the same shops) can start two issues that a later
    view shows are one. Issues whose main key is the same and whose problem centroids have a cosine of at
    least :data:`MERGE_SAME_KEY` are merged into the earliest; returns the new assignment (the online one
    is left untouched for burst detection).
    """
    groups: dict[str, list[int]] = {}
    for issue in clusterer.issues:
        key = _main_key(issue)
        if key is not None and issue.size:
            groups.setdefault(key, []).append(issue.number)
    parent = list(range(len(clusterer.issues)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for numbers in groups.values():
        for x, a in enumerate(numbers):
            for b in numbers[x + 1:]:
                ia, ib = clusterer.issues[a], clusterer.issues[b]
                if _centroid_cosine(ia.problem, ib.problem) >= MERGE_SAME_KEY:
                    ra, rb = find(a), find(b)
                    if ra != rb:
                        parent[max(ra, rb)] = min(ra, rb)
    merged = [find(n) for n in assigned]
    for issue in clusterer.issues:
        root = find(issue.number)
        if root != issue.number:
            target = clusterer.issues[root]
            target.members.extend(issue.members)
            target.keys.update(issue.keys)
            for w, v in issue.problem.total.items():
                target.problem.total[w] = target.problem.total.get(w, 0.0) + v
            target.problem.norm2 = sum(v * v for v in target.problem.total.values())
            for w, v in issue.centroid.total.items():
                target.centroid.total[w] = target.centroid.total.get(w, 0.0) + v
            target.centroid.norm2 = sum(v * v for v in target.centroid.total.values())
            target.first = min(t for t in (target.first, issue.first) if t is not None)
            target.last = max(t for t in (target.last, issue.last) if t is not None)
            issue.members = []
    return merged
