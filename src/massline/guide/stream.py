"""The guide over a stream: issues, bursts and topics one chunk at a time, memory bounded by issues, not messages.

Used by the scale benchmark (a million resampled messages): each chunk is segmented, counted into the online
document frequencies, put into issues (``IssueClusterer.add``), fed to the burst detector, and assigned to
topics; the topic model is fitted once on the first chunk (mini-batch k-means) and then only updated. Nothing
per message is kept except its issue number.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from massline.guide.bursts import BurstDetector, Seasonality
from massline.guide.corpus import GuideMessage
from massline.guide.inject import perturb_body
from massline.guide.issues import IssueClusterer
from massline.guide.text import features, warm
from massline.guide.topics import TopicModel, problem_words
from massline.guide.vectors import DocFreq


def resample(base: list[GuideMessage], n: int, *, seed: int = 0, start: datetime | None = None,
             days: float = 5 * 365.0) -> Iterator[GuideMessage]:
    """``n`` messages drawn from ``base`` with perturbed bodies, new writers and times spread over ``days``
    (in time order), so the stream looks like a busy city's archive rather than the same 4k texts repeated."""
    rng = random.Random(seed)
    begin = start or base[0].created_at
    step = days * 86400.0 / max(n, 1)
    for k in range(n):
        src = base[rng.randrange(len(base))]
        title = src.title if rng.random() < 0.7 else src.title[: max(4, len(src.title) - rng.randrange(4))]
        yield GuideMessage(id=k + 1, external_id=f"r{k + 1}", title=title, body=perturb_body(src.body, rng),
                           created_at=begin + timedelta(seconds=k * step + rng.uniform(0, step)),
                           author=f"u{rng.randrange(n // 3 + 1)}", likes=src.likes, dislikes=src.dislikes)


@dataclass
class StreamResult:
    messages: int
    issues: int
    alerts: int
    topics: int


def run_stream(messages: Iterable[GuideMessage], *, chunk: int = 5000, season: Seasonality, k: int = 30,
               deadline: float | None = None, progress: Callable[[int], None] | None = None) -> StreamResult:
    """Process a time-ordered stream chunk by chunk (see the module docstring); stop after the chunk that
    passes ``deadline`` (``time.monotonic()``), so a benchmark stays bounded."""
    warm()
    df = DocFreq()
    clusterer = IssueClusterer(df)
    detector = BurstDetector(season, label_of=lambda kind, key: key)
    model: TopicModel | None = None
    buf: list[GuideMessage] = []
    n = 0

    def flush(batch: list[GuideMessage]) -> None:
        nonlocal model, n
        feats = [features(m) for m in batch]
        for f in feats:
            df.add(f.words)
        docs = [problem_words(f) for f in feats]
        if model is None:
            model = TopicModel.fit(docs, [m.title for m in batch], k=k)
            topics = model.assign(docs)
        else:
            topics = model.update(docs)
        for i, (m, f) in enumerate(zip(batch, feats, strict=True)):
            number = clusterer.add(n + i, f, clusterer.vectors(f), m.created_at)
            keys = [("issue", str(number))]
            if f.district or f.city:
                keys.append(("district", str(f.district or f.city)))
            if topics[i] >= 0:
                keys.append(("topic", str(topics[i])))
            detector.observe(n + i, m.created_at, keys)
        for issue in clusterer.issues:
            if len(issue.members) > 50:
                issue.members = issue.members[-50:]  # bounded memory: recent members only
        clusterer.evict(batch[-1].created_at)
        n += len(batch)
        if progress is not None:
            progress(n)

    for m in messages:
        buf.append(m)
        if len(buf) >= chunk:
            flush(buf)
            buf = []
            if deadline is not None and time.monotonic() > deadline:
                break
    if buf:
        flush(buf)
    return StreamResult(messages=n, issues=len(clusterer.issues), alerts=len(detector.alerts),
                        topics=model.k if model is not None else 0)
