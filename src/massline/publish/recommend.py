"""Recommending posts to segments and subscribers, and the offline test of the ranking rule.

The ranker is a weighted sum of three normalised signals: **match** (how much the segment —
a district, or a subscriber's topic/district — cares about the item's topic), **recency** (an
exponential decay of the evidence's or the post's age), **popularity** (how many people want the
item overall). The simple ranker weighs them equally; weights fitted on a validation window are
used only if they beat it there (the issue's rule: learned weights only if they win).

Offline test (``massline eval recommend``): the shipped 泰迪杯 附件2/附件3 messages, split by time
(the last 20 % is the test). Items are the topic words citizens use in message titles (the most
frequent words of the training part); for every test message with a district and at least one
topic word, the ranker lists 5 words for that *district* from training evidence only, and we ask
whether the words the district actually asked about next are among them (hit rate@5) and how high
(nDCG@5, binary relevance). The popularity baseline — the globally most frequent words — runs in
the same call on the same split.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy.orm import Session

from massline.ingest.dates import parse_datetime
from massline.publish.segments import SegmentTable
from massline.serve.cases import detect_district

SIGNALS: Final = ("match", "recency", "popularity")
SIMPLE: Final = {"match": 1.0, "recency": 1.0, "popularity": 1.0}
HALF_LIFE_DAYS: Final = 60.0
VOCABULARY: Final = 300
TOP_N: Final = 5
#: Words that say nothing about the topic (asking, complaining, places in general).
STOPWORDS: Final = frozenset(
    "咨询 关于 问题 反映 建议 投诉 请求 希望 请问 要求 市民 政府 领导 为什么 什么 怎么 如何 是否 能否 可以 "
    "没有 不能 一直 我们 你们 他们 这个 那个 相关 情况 进行 严重 处理 解决 存在 有关 申请 举报 多次 部门 "
    "尽快 市区 西地省 A市 县城 地区 问下 一下 已经 何时 哪里 谁来 关注 还是 目前".split())
_WORD: Final = re.compile(r"^[\u4e00-\u9fff]{2,6}$")


def ranked(scores: dict[str, dict[str, float]], weights: dict[str, float], n: int = TOP_N,
           exclude: Iterable[str] = ()) -> list[str]:
    """Items by weighted score (signals already in [0, 1]); ties by name, so rankings are reproducible."""
    skip = set(exclude)
    total = {item: sum(weights.get(s, 0.0) * v.get(s, 0.0) for s in SIGNALS) for item, v in scores.items()
             if item not in skip}
    return [item for item, _ in sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def _normalise(values: dict[str, float]) -> dict[str, float]:
    top = max(values.values(), default=0.0)
    return {k: (v / top if top > 0 else 0.0) for k, v in values.items()}


def decay(age_days: float, half_life: float = HALF_LIFE_DAYS) -> float:
    return float(0.5 ** (max(age_days, 0.0) / half_life))


# ---------------------------------------------------------------- posts (used by the console)


@dataclass(frozen=True)
class Candidate:
    id: int
    topics: Sequence[str]
    districts: Sequence[str]
    published: datetime
    helpful: int


def recommend_posts(candidates: Sequence[Candidate], *, district: str | None, interest: dict[str, float],
                    now: datetime, weights: dict[str, float] | None = None, n: int = TOP_N) -> list[int]:
    """Post ids for a segment: ``interest`` = the segment's share of people per topic (from the segment table)."""
    raw: dict[str, dict[str, float]] = {}
    pops = _normalise({str(c.id): math.log1p(c.helpful) for c in candidates})
    for c in candidates:
        topic_match = max((interest.get(t, 0.0) for t in c.topics), default=0.0)
        place = 1.0 if district and district in c.districts else 0.5 if not c.districts else 0.0
        raw[str(c.id)] = {"match": 0.5 * topic_match + 0.5 * place,
                          "recency": decay((now - c.published).total_seconds() / 86400, 14.0),
                          "popularity": pops[str(c.id)]}
    return [int(i) for i in ranked(raw, weights or SIMPLE, n)]


def candidates(session: Session, *, limit: int = 200) -> list[Candidate]:
    """The published posts as ranking candidates (helpful reactions as popularity)."""
    from massline.publish.posts import published_posts
    from massline.publish.reactions import reaction_counts
    from massline.serve.sla import as_utc

    return [Candidate(p.id, list(p.topics or []), list(p.districts or []),
                      as_utc(p.published_at or p.updated_at), reaction_counts(session, p.id)["helpful"])
            for p in published_posts(session, limit=limit)]


def for_segments(session: Session, table: SegmentTable, *, now: datetime, n: int = 3) -> dict[str, list[int]]:
    """District → post ids, the district's interest being its segments' people per topic (k-anonymous input)."""
    pool = candidates(session)
    interest: dict[str, dict[str, float]] = defaultdict(dict)
    for row in table.rows:
        interest[row.district][row.topic] = interest[row.district].get(row.topic, 0.0) + row.people
    out: dict[str, list[int]] = {}
    for district, topics in sorted(interest.items()):
        top = max(topics.values())
        shares = {t: v / top for t, v in topics.items()}
        out[district] = recommend_posts(pool, district=district, interest=shares, now=now, n=n)
    return out


def for_subscription(session: Session, *, topic: str | None, district: str | None, now: datetime,
                     n: int = 3) -> list[int]:
    """Post ids for one subscriber's scope (shown after confirming; nothing about the person is used)."""
    return recommend_posts(candidates(session), district=district, interest={topic: 1.0} if topic else {},
                           now=now, n=n)


# ---------------------------------------------------------------- offline evaluation


@dataclass(frozen=True)
class Example:
    at: datetime
    district: str
    words: frozenset[str]


def _words(text: str) -> list[str]:
    import jieba

    return [w for w in jieba.lcut(text) if _WORD.match(w) and w not in STOPWORDS and not w.endswith(("区", "县"))]


def load_examples(paths: Sequence[Path],
                  progress: Callable[[str], None] | None = None) -> list[tuple[datetime, str, str]]:
    """(time, district, title) of every message with a date and a district, oldest first."""
    rows: list[tuple[datetime, str, str]] = []
    seen: set[str] = set()
    for path in paths:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                title = (row.get("留言主题") or "").strip()
                when = parse_datetime(row.get("留言时间"))
                key = row.get("留言编号") or title
                if not title or when is None or key in seen:
                    continue
                seen.add(key)
                district = detect_district(title, row.get("留言详情"))
                if district:
                    rows.append((when, district, title))
        if progress:
            progress(f"read {path.name}: {len(rows)} dated messages with a district so far")
    rows.sort(key=lambda r: r[0])
    return rows


def _signals(train: Sequence[Example], district: str, now: datetime, vocab: Sequence[str],
             global_pop: dict[str, float]) -> dict[str, dict[str, float]]:
    counts: Counter[str] = Counter()
    recent: dict[str, float] = defaultdict(float)
    for ex in train:
        if ex.district != district:
            continue
        w = decay((now - ex.at).total_seconds() / 86400)
        for word in ex.words:
            counts[word] += 1
            recent[word] += w
    match, rec = _normalise({v: float(counts[v]) for v in vocab}), _normalise({v: recent[v] for v in vocab})
    return {v: {"match": match[v], "recency": rec[v], "popularity": global_pop[v]} for v in vocab}


def _score(train: Sequence[Example], test: Sequence[Example], vocab: Sequence[str],
           rankers: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Hit rate@5 and nDCG@5 per ranker; each test message ranked with evidence up to the split only."""
    vocab_set = set(vocab)
    pop_counts = Counter(w for ex in train for w in ex.words if w in vocab_set)
    global_pop = _normalise({v: float(pop_counts[v]) for v in vocab})
    split_time = train[-1].at
    cache: dict[str, dict[str, dict[str, float]]] = {}
    sums = {name: [0.0, 0.0] for name in rankers}
    n = 0
    ideal = [sum(1 / math.log2(i + 2) for i in range(min(r, TOP_N))) for r in range(TOP_N + 1)]
    for ex in test:
        relevant = ex.words & vocab_set
        if not relevant:
            continue
        n += 1
        if ex.district not in cache:
            cache[ex.district] = _signals(train, ex.district, split_time, vocab, global_pop)
        for name, weights in rankers.items():
            top = ranked(cache[ex.district], weights)
            gains = [1 / math.log2(i + 2) for i, item in enumerate(top) if item in relevant]
            sums[name][0] += 1.0 if gains else 0.0
            sums[name][1] += sum(gains) / ideal[min(len(relevant), TOP_N)]
    return {name: {"hit_rate@5": round(s[0] / n, 4) if n else 0.0, "ndcg@5": round(s[1] / n, 4) if n else 0.0}
            for name, s in sums.items()} | {"_n": {"messages": float(n)}}


GRID: Final = [{"match": m, "recency": r, "popularity": p}
               for m in (0.0, 0.5, 1.0, 2.0) for r in (0.0, 0.5, 1.0, 2.0) for p in (0.0, 0.5, 1.0, 2.0)
               if m + r + p > 0]


def evaluate(paths: Sequence[Path], *, test_share: float = 0.2,
             progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The offline figures: popularity baseline, simple ranker, and the validation-fitted weights if they win."""
    say = progress or (lambda _msg: None)
    rows = load_examples(paths, say)
    if len(rows) < 50:
        raise ValueError(f"only {len(rows)} dated messages with a district: not enough to evaluate")
    say("segmenting titles (jieba)…")
    examples = [Example(at, district, frozenset(_words(title))) for at, district, title in rows]
    cut = int(len(examples) * (1 - test_share))
    train, test = examples[:cut], examples[cut:]
    vcut = int(len(train) * (1 - test_share))
    fit, valid = train[:vcut], train[vcut:]

    def vocabulary(part: Sequence[Example]) -> list[str]:
        df = Counter(w for ex in part for w in ex.words)
        return [w for w, _ in sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))[:VOCABULARY]]

    say(f"fitting weights on a validation window ({len(fit)} → {len(valid)} messages, {len(GRID)} settings)…")
    grid = {f"w{i}": w for i, w in enumerate(GRID)}
    val = _score(fit, valid, vocabulary(fit), {**grid, "simple": SIMPLE})
    best_name = max(grid, key=lambda k: (val[k]["ndcg@5"], val[k]["hit_rate@5"]))
    learned_wins = val[best_name]["ndcg@5"] > val["simple"]["ndcg@5"]
    chosen = grid[best_name] if learned_wins else SIMPLE
    say(f"testing on the last {test_share:.0%} ({len(test)} messages)…")
    rankers = {"popularity_baseline": {"match": 0.0, "recency": 0.0, "popularity": 1.0}, "simple": SIMPLE,
               "learned": grid[best_name]}
    result = _score(train, test, vocabulary(train), rankers)
    n = int(result.pop("_n")["messages"])
    shipped = "learned" if learned_wins else "simple"
    base = result["popularity_baseline"]
    return {
        "task": "recommend", "data": [p.name for p in paths], "split": "time",
        "train": {"messages": len(train), "from": train[0].at.date().isoformat(),
                  "to": train[-1].at.date().isoformat()},
        "test": {"messages_scored": n, "from": test[0].at.date().isoformat(), "to": test[-1].at.date().isoformat()},
        "items": f"top {VOCABULARY} title words of the training part", "k": TOP_N,
        "popularity_baseline": base, "simple": result["simple"],
        "learned": {**result["learned"], "weights": grid[best_name],
                    "validation_ndcg@5": val[best_name]["ndcg@5"], "validation_simple_ndcg@5": val["simple"]["ndcg@5"]},
        "shipped": shipped, "shipped_weights": chosen,
        "ratio_vs_baseline": {
            "hit_rate@5": round(result[shipped]["hit_rate@5"] / base["hit_rate@5"], 3) if base["hit_rate@5"] else None,
            "ndcg@5": round(result[shipped]["ndcg@5"] / base["ndcg@5"], 3) if base["ndcg@5"] else None},
    }
