"""Evaluations behind ``massline eval bursts`` and ``massline eval topics`` (each ends with one JSON object).

Bursts: false alarms = alerts per month on the archive as shipped (an upper bound: some are real bursts),
and detection of injected bursts over a grid of sizes and speeds — share detected, share within one day,
median delay from the first injected message to the alert that contains injected messages.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from massline.guide.bursts import Seasonality, detect
from massline.guide.hot import LOCAL_TZ, Analysis, analyse_features
from massline.guide.inject import make_burst

SIZES = (3, 5, 8, 12, 20)
HOURS = (2.0, 12.0, 48.0)
REPEATS = 3

Progress = Callable[[str, int, int], None]


@dataclass
class Injection:
    size: int
    hours: float
    detected: bool
    delay_hours: float | None


def false_alarms(analysis: Analysis) -> dict[str, Any]:
    """Alerts per month on the data as shipped (months after a 28-day warm-up)."""
    alerts = detect(analysis)
    msgs = analysis.messages
    months = Counter(m.created_at.astimezone(LOCAL_TZ).strftime("%Y-%m") for m in msgs)
    active = [m for m, n in months.items() if n >= 30]
    per_month = Counter(a.detected_at.astimezone(LOCAL_TZ).strftime("%Y-%m") for a in alerts)
    by_kind = Counter(a.kind for a in alerts)
    return {"alerts": len(alerts), "months": len(active),
            "alerts_per_month": round(len(alerts) / max(len(active), 1), 3),
            "by_kind": dict(by_kind), "by_month": dict(sorted(per_month.items()))}


def inject_once(analysis: Analysis, season: Seasonality, *, size: int, hours: float, seed: int) -> Injection:
    """Inject one burst into a copy of the analysed archive, re-form issues online and run the detector."""
    rng = random.Random(seed)
    msgs = analysis.messages
    lo, hi = len(msgs) // 5, len(msgs) - len(msgs) // 10  # leave a baseline before and room after
    t_index = rng.randrange(lo, hi)
    template_index = rng.randrange(len(msgs))
    start = msgs[t_index].created_at
    burst = make_burst(msgs[template_index], analysis.feats[template_index], size=size, hours=hours, start=start,
                       seed=seed)
    mixed = analyse_features([*msgs, *(b[0] for b in burst)], [*analysis.feats, *(b[1] for b in burst)])
    alerts = detect(mixed, season=season)
    first = min(b[0].created_at for b in burst)
    hits = [a for a in alerts if any(mixed.messages[i].injected for i in a.members) and a.detected_at >= first]
    if not hits:
        return Injection(size, hours, False, None)
    delay = min(a.detected_at for a in hits) - first
    return Injection(size, hours, True, delay.total_seconds() / 3600.0)


def evaluate_bursts(analysis: Analysis, *, sizes: Sequence[int] = SIZES, hours: Sequence[float] = HOURS,
                    repeats: int = REPEATS, progress: Progress | None = None) -> dict[str, Any]:
    season = Seasonality.fit([m.created_at for m in analysis.messages])
    runs: list[Injection] = []
    total = len(sizes) * len(hours) * repeats
    for s in sizes:
        for h in hours:
            for r in range(repeats):
                runs.append(inject_once(analysis, season, size=s, hours=h, seed=1000 * s + 10 * int(h) + r))
                if progress is not None:
                    progress("injecting bursts", len(runs), total)
    grid = []
    for s in sizes:
        for h in hours:
            cell = [r for r in runs if r.size == s and r.hours == h]
            delays = [r.delay_hours for r in cell if r.delay_hours is not None]
            grid.append({"size": s, "hours": h, "runs": len(cell),
                         "detected": round(sum(r.detected for r in cell) / len(cell), 3),
                         "within_1_day": round(sum(1 for d in delays if d <= 24) / len(cell), 3),
                         "median_delay_hours": round(statistics.median(delays), 2) if delays else None})
    delays = [r.delay_hours for r in runs if r.delay_hours is not None]
    return {"false_alarms": false_alarms(analysis), "injected": {
        "runs": len(runs), "detected": round(sum(r.detected for r in runs) / len(runs), 3),
        "median_delay_hours": round(statistics.median(delays), 2) if delays else None, "grid": grid}}




def npmi(model: Any, docs: Sequence[list[str]], top: int = 10) -> float:
    """Mean NPMI of each topic's ``top`` words, document co-occurrence over ``docs`` (−1 … 1; higher = coherent)."""
    vocab = {w: i for i, w in enumerate(model.vectorizer.get_feature_names_out())}
    x = model.vectorizer.transform(list(docs))
    x.data[:] = 1.0
    n = x.shape[0]
    scores = []
    for words in model.top_words:
        idx = [vocab[w] for w in words[:top] if w in vocab]
        sub = x[:, idx].tocsc()
        co = (sub.T @ sub).toarray()
        p = np.diag(co) / n
        vals = []
        for a in range(len(idx)):
            for b in range(a + 1, len(idx)):
                pab = co[a, b] / n
                if pab <= 0:
                    vals.append(-1.0)
                elif pab >= 1:
                    vals.append(1.0)
                else:
                    vals.append(float(math.log(pab / (p[a] * p[b])) / -math.log(pab)))
        if vals:
            scores.append(sum(vals) / len(vals))
    return float(sum(scores) / len(scores)) if scores else 0.0


def evaluate_topics(analysis: Analysis, *, ks: Sequence[int] = (15, 25, 35), seed: int = 0,
                    progress: Progress | None = None) -> dict[str, Any]:
    """NPMI coherence for a few k on the whole archive, and two-halves stability (ARI, NMI, top-word overlap)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from massline.guide.topics import TopicModel, default_k, problem_words

    docs = [problem_words(f) for f in analysis.feats]
    titles = [m.title for m in analysis.messages]
    sweep = []
    steps = len(ks) + 2
    for n, k in enumerate(ks, start=1):
        model = TopicModel.fit(docs, titles, k=k, seed=seed)
        sweep.append({"k": k, "npmi": round(npmi(model, docs), 4)})
        if progress is not None:
            progress("fitting topics", n, steps)
    k = default_k(len(docs))
    rng = random.Random(seed)
    order = list(range(len(docs)))
    rng.shuffle(order)
    half_a, half_b = order[: len(order) // 2], order[len(order) // 2:]
    model_a = TopicModel.fit([docs[i] for i in half_a], [titles[i] for i in half_a], k=k, seed=seed)
    model_b = TopicModel.fit([docs[i] for i in half_b], [titles[i] for i in half_b], k=k, seed=seed + 1)
    if progress is not None:
        progress("fitting topics", steps, steps)
    la, lb = model_a.assign(docs), model_b.assign(docs)
    overlaps = []
    for words_a in model_a.top_words:
        sa = set(words_a)
        overlaps.append(max(len(sa & set(wb)) / len(sa | set(wb)) for wb in model_b.top_words))
    full = TopicModel.fit(docs, titles, k=k, seed=seed)
    return {"messages": len(docs), "k": k, "npmi": round(npmi(full, docs), 4), "k_sweep": sweep,
            "stability": {"ari": round(float(adjusted_rand_score(la, lb)), 4),
                          "nmi": round(float(normalized_mutual_info_score(la, lb)), 4),
                          "top_word_jaccard": round(sum(overlaps) / len(overlaps), 4)},
            "labels": full.labels}
