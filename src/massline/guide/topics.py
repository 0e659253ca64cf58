"""Topics: what the public talks about, as clusters of problem words, tracked week by week and month by month.

Model: TF-IDF over each message's *problem words* (jieba words without place names — places make issues,
not themes) with ``MiniBatchKMeans`` (mini-batches: memory stays bounded on a million messages).
Why not BERTopic-style embeddings: no embedding model may be downloaded here, and on 2 cores a 7-hour run
for 385k documents (BERTopic's published figure) is out of the question; k-means on sparse TF-IDF takes
seconds. A topic's label is its heaviest words and the title of its most central message.

New messages are *assigned* to the nearest centroid (cosine; below :data:`MIN_SIMILARITY` → ``-1``, "其他")
without refitting, and ``update`` moves each centroid to the running mean of its members; ``fit`` is the
refit on demand. The model is saved as plain arrays (``save``/``load``), like the classifier.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.cluster import MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from threadpoolctl import threadpool_limits

from massline.guide.hot import LOCAL_TZ
from massline.guide.text import Features

MIN_SIMILARITY = 0.05
LABEL_WORDS = 6


def problem_words(f: Features) -> list[str]:
    places = {name for name, _ in f.places}
    return [w for w in f.words if w not in places]


def default_k(n: int) -> int:
    return int(min(40, max(4, round(n / 150))))


def _identity(words: list[str]) -> list[str]:
    return words


@dataclass
class TopicModel:
    """A fitted vectorizer + k-means; ``labels[t]`` is topic t's readable label."""

    vectorizer: TfidfVectorizer
    centers: np.ndarray
    counts: np.ndarray  # messages behind each centroid (the weight of the old centre in an update)
    top_words: list[list[str]] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)

    @property
    def k(self) -> int:
        return int(self.centers.shape[0])

    @property
    def labels(self) -> list[str]:
        return [f"{'·'.join(w[:3])}：{t[:24]}" for w, t in zip(self.top_words, self.titles, strict=True)]

    @classmethod
    def fit(cls, docs: Sequence[list[str]], titles: Sequence[str], *, k: int | None = None,
            seed: int = 0) -> TopicModel:
        vec = TfidfVectorizer(analyzer=_identity, min_df=2, max_df=0.3, sublinear_tf=True, dtype=np.float32)
        x = vec.fit_transform(list(docs))
        k = min(k or default_k(len(docs)), max(x.shape[0] - 1, 1))
        km = MiniBatchKMeans(n_clusters=k, random_state=seed, batch_size=2048, n_init=3, max_no_improvement=20)
        with threadpool_limits(1):  # OpenMP threads spinning on a shared 2-core machine cost 7x (measured)
            km.fit(x)
        centers = np.asarray(km.cluster_centers_, dtype=np.float64)
        model = cls(vec, centers, np.bincount(km.labels_, minlength=k).astype(np.float64))
        model._describe(x, titles)
        return model

    def _describe(self, x: sparse.csr_matrix, titles: Sequence[str]) -> None:
        vocab = np.array(self.vectorizer.get_feature_names_out())
        centers = self.centers
        self.top_words = [[str(w) for w in vocab[np.argsort(-c)[:10]]] for c in centers]
        assigned = np.asarray((x @ centers.T).argmax(axis=1)).ravel()
        sims = np.asarray((x @ centers.T).max(axis=1)).ravel() if x.shape[0] else np.array([])
        self.titles = []
        for t in range(self.k):
            idx = np.flatnonzero(assigned == t)
            self.titles.append(titles[int(idx[np.argmax(sims[idx])])] if len(idx) else "")

    def transform(self, docs: Sequence[list[str]]) -> sparse.csr_matrix:
        return self.vectorizer.transform(list(docs))

    def assign(self, docs: Sequence[list[str]]) -> list[int]:
        """Nearest topic of each document (``-1`` when it is close to none) — no refit."""
        if not docs:
            return []
        x = self.transform(docs)
        centers = self.centers
        norms = np.linalg.norm(centers, axis=1)
        norms[norms == 0] = 1.0
        sims = np.asarray(x @ (centers / norms[:, None]).T)
        best = sims.argmax(axis=1)
        return [int(b) if sims[i, b] >= MIN_SIMILARITY else -1 for i, b in enumerate(best)]

    def update(self, docs: Sequence[list[str]]) -> list[int]:
        """Assign a new batch and move each centroid to the running mean of its members (no refit; the
        vocabulary stays fixed until the next ``fit``). Returns the batch's topics."""
        assigned = self.assign(docs)
        if not docs:
            return assigned
        x = self.transform(docs)
        for t in set(assigned) - {-1}:
            rows = [i for i, a in enumerate(assigned) if a == t]
            batch_mean = np.asarray(x[rows].mean(axis=0)).ravel()
            n_old, n_new = self.counts[t], float(len(rows))
            self.centers[t] = (self.centers[t] * n_old + batch_mean * n_new) / (n_old + n_new)
            self.counts[t] = n_old + n_new
        return assigned

    def save(self, directory: Path) -> Path:
        """``topics.npz`` (plain arrays, loaded with ``allow_pickle=False``) + ``topics.json`` (labels)."""
        directory.mkdir(parents=True, exist_ok=True)
        vocab = self.vectorizer.get_feature_names_out()
        np.savez(directory / "topics.npz", centers=self.centers, counts=self.counts,
                 idf=np.asarray(self.vectorizer.idf_, dtype=np.float64))
        meta = {"vocabulary": [str(w) for w in vocab], "top_words": self.top_words, "titles": self.titles}
        (directory / "topics.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: Path) -> TopicModel | None:
        if not (directory / "topics.npz").exists():
            return None
        arrays = np.load(directory / "topics.npz", allow_pickle=False)
        meta = json.loads((directory / "topics.json").read_text(encoding="utf-8"))
        vec = TfidfVectorizer(analyzer=_identity, vocabulary=meta["vocabulary"], sublinear_tf=True,
                              dtype=np.float32)
        vec.idf_ = arrays["idf"]
        return cls(vec, arrays["centers"].copy(), arrays["counts"].copy(), meta["top_words"], meta["titles"])


def period_key(when: datetime, period: str) -> str:
    local = when.astimezone(LOCAL_TZ)
    if period == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local:%Y-%m}"


def trends(assigned: Sequence[int], times: Sequence[datetime], k: int, period: str = "month") -> dict[str, Any]:
    """Counts per topic and period, and each topic's status in the last period.

    Status: ``new`` (no message before the last 2 periods), ``growing`` (last period ≥ 1.5 × the mean of the
    3 before, and at least 3 more), ``fading`` (≤ 0.5 × that mean), else ``stable``; ``quiet`` when the
    topic has no message in the last 3 periods.
    """
    counts: dict[str, Counter[int]] = {}
    for t, when in zip(assigned, times, strict=True):
        counts.setdefault(period_key(when, period), Counter())[t] += 1
    periods = sorted(counts)
    series = {t: [counts[p].get(t, 0) for p in periods] for t in range(k)}
    status = {}
    for t, s in series.items():
        last = s[-1] if s else 0
        before = s[-4:-1]
        mean = sum(before) / len(before) if before else 0.0
        if not any(s[-3:]):
            status[t] = "quiet"
        elif not any(s[:-2]):
            status[t] = "new"
        elif last >= 1.5 * mean and last - mean >= 3:
            status[t] = "growing"
        elif last <= 0.5 * mean:
            status[t] = "fading"
        else:
            status[t] = "stable"
    return {"periods": periods, "series": series, "status": status,
            "other": [counts[p].get(-1, 0) for p in periods]}
