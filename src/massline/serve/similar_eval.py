"""How often the similar-case search finds the messages it should: recall@5 and latency.

Relevant pairs come from the shipped 泰迪杯 files themselves, without any hand labels:
*same issue* = two 附件3 messages with the same subject line (留言主题) — the hot-issue file's
repeated complaints —, *near duplicate* = two messages whose bodies share ≥ 80 % of their
character 3-grams without being identical. Only bodies are indexed and queried, so a shared
subject line cannot make the task trivial. The baseline is the character-bigram overlap the
console used before, over the same candidates.
"""

from __future__ import annotations

import csv
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from massline.serve.similar import BODY_CHARS, BM25Index

K = 5


def _read(paths: Sequence[Path]) -> list[dict[str, str]]:
    rows, seen = [], set()
    for path in paths:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                body = "".join((row.get("留言详情") or "").split())
                if len(body) < 20 or body in seen:
                    continue
                seen.add(body)
                rows.append({"file": path.name, "title": "".join((row.get("留言主题") or "").split()), "body": body})
    return rows


def _grams(text: str, n: int = 3) -> set[str]:
    return {text[i:i + n] for i in range(len(text) - n + 1)}


def relevant_pairs(rows: list[dict[str, str]], hot_file: str) -> dict[int, set[int]]:
    """Query index → indices that should be found (same subject in 附件3, or near-duplicate bodies)."""
    rel: dict[int, set[int]] = defaultdict(set)
    by_title: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if r["file"] == hot_file and len(r["title"]) >= 6:
            by_title[r["title"]].append(i)
    for members in by_title.values():
        for i in members:
            rel[i].update(j for j in members if j != i)
    # near duplicates: candidate pairs share a 12-character shingle of the body's start, then Jaccard ≥ 0.8
    buckets: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        buckets[r["body"][:12]].append(i)
    for members in buckets.values():
        for a in members:
            ga = _grams(rows[a]["body"][:BODY_CHARS])
            for b in members:
                if a < b:
                    gb = _grams(rows[b]["body"][:BODY_CHARS])
                    if len(ga & gb) / max(1, len(ga | gb)) >= 0.8:
                        rel[a].add(b)
                        rel[b].add(a)
    return rel


def _bigram_rank(query: str, bigrams: list[set[str]], k: int) -> list[int]:
    mine = _grams(query, 2)
    scores = np.array([len(mine & b) / max(1, len(mine)) for b in bigrams])
    return [int(i) for i in np.argsort(-scores)[:k + 1]]


def evaluate(paths: Sequence[Path], *, queries: int = 300, seed: int = 0) -> dict[str, Any]:
    rows = _read(paths)
    rel = relevant_pairs(rows, "fj3_hot_messages_full.csv")
    texts = [r["body"][:BODY_CHARS] for r in rows]
    t0 = time.perf_counter()
    index = BM25Index(texts)
    build_s = time.perf_counter() - t0
    pool = sorted(i for i, r in rel.items() if r)
    random.Random(seed).shuffle(pool)
    pool = pool[:queries]
    bigrams = [_grams(t, 2) for t in texts]
    ours, base, lat, base_lat = [], [], [], []
    for q in pool:
        want = rel[q]
        t = time.perf_counter()
        hits = [h.index for h in index.query(texts[q], K + 1) if h.index != q][:K]
        lat.append((time.perf_counter() - t) * 1000)
        ours.append(len(want & set(hits)) / min(K, len(want)))
        t = time.perf_counter()
        got = [i for i in _bigram_rank(texts[q], bigrams, K) if i != q][:K]
        base_lat.append((time.perf_counter() - t) * 1000)
        base.append(len(want & set(got)) / min(K, len(want)))
    return {"messages_indexed": len(rows), "queries": len(pool), "recall_at_5": round(float(np.mean(ours)), 3),
            "baseline_bigram_recall_at_5": round(float(np.mean(base)), 3),
            "latency_ms_p50": round(float(np.percentile(lat, 50)), 2),
            "latency_ms_p95": round(float(np.percentile(lat, 95)), 2),
            "baseline_latency_ms_p95": round(float(np.percentile(base_lat, 95)), 2), "index_build_s": round(build_s, 1)}
