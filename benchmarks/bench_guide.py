"""Guide at scale: topics + hot issues + bursts on all of 附件3, and a stream of resampled messages
(target 1,000,000) against jieba segmentation alone on the same texts in the same run.

Part 1 times the whole guide on ``fj3_hot_messages_full.csv`` (4,326 messages) from the file: reading,
segmentation, issues, heat ranking, bursts and a topic fit + assignment.
Part 2 streams messages resampled from 附件3 with perturbed bodies, new writers and times over five years
(``massline.guide.stream``) in chunks of 5,000, with the time budget ``MASSLINE_BENCH_GUIDE_SECONDS``
(default 420 s): it stops after the chunk that passes the budget and says how many it reached (the stream is
linear, so throughput holds). ``MASSLINE_BENCH_GUIDE_N`` sets the target (default 1,000,000). Baseline:
``jieba.lcut`` of the same strings (title + first 300 characters of the body) on the first 5,000 messages.
Throughputs are per CPU second of this process (``time.process_time``): on a shared machine whose load swings
from 5 to 20 the wall clock of two phases is not comparable, their CPU time is; wall-clock rates are kept too.
Peak memory = the process's peak RSS (jieba's dictionary included) before and after the stream.

Run: ``.venv/bin/python benchmarks/run.py guide``.
"""

from __future__ import annotations

import itertools
import os
import resource
import time
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "taidi2020" / "fj3_hot_messages_full.csv"
BASELINE_SAMPLE = 5000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def fj3_wall() -> dict[str, Any]:
    from massline.guide.bursts import detect
    from massline.guide.corpus import read_file
    from massline.guide.hot import analyse, rank_issues
    from massline.guide.service import topic_view
    from massline.guide.text import warm

    warm()
    started, cpu_started = time.perf_counter(), time.process_time()
    messages = read_file(DATA)
    t_read = time.perf_counter()
    analysis = analyse(messages)
    t_issues = time.perf_counter()
    hot = rank_issues(analysis, top=20)
    alerts = detect(analysis)
    t_hot = time.perf_counter()
    view = topic_view(None, analysis)
    done = time.perf_counter()
    return {"messages": len(messages), "seconds_total": round(done - started, 2),
            "cpu_seconds_total": round(time.process_time() - cpu_started, 2),
            "load_average_1min": round(os.getloadavg()[0], 1),
            "seconds": {"read": round(t_read - started, 2), "segment_and_issues": round(t_issues - t_read, 2),
                        "heat_and_bursts": round(t_hot - t_issues, 2), "topics": round(done - t_hot, 2)},
            "issues": len(analysis.issues), "hot_top1": hot[0].label if hot else None, "alerts": len(alerts),
            "topics": len(view.topics)}


def stream(target: int, budget: float) -> dict[str, Any]:
    import jieba

    from massline.analyze.segment import get_tokenizer
    from massline.guide.bursts import Seasonality
    from massline.guide.corpus import read_file
    from massline.guide.stream import resample, run_stream
    from massline.guide.text import MAX_BODY_CHARS

    base = read_file(DATA)
    season = Seasonality.fit([m.created_at for m in base])
    sample = list(itertools.islice(resample(base, target, seed=1), BASELINE_SAMPLE))
    tok = get_tokenizer()
    tok.lcut("预热")
    started, cpu = time.perf_counter(), time.process_time()
    for m in sample:
        tok.lcut(m.title)
        tok.lcut(m.body[:MAX_BODY_CHARS])
    jieba_wall_rate = len(sample) / (time.perf_counter() - started)
    jieba_rate = len(sample) / (time.process_time() - cpu)
    del jieba
    before = _peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    result = run_stream(resample(base, target, seed=1), season=season, deadline=time.monotonic() + budget)
    seconds = time.perf_counter() - started
    wall_rate = result.messages / seconds
    rate = result.messages / (time.process_time() - cpu)
    load = round(os.getloadavg()[0], 1)
    return {"target": target, "processed": result.messages, "reached_target": result.messages >= target,
            "seconds": round(seconds, 1), "guide_messages_per_s": round(rate, 1),
            "jieba_messages_per_s": round(jieba_rate, 1), "ratio_to_jieba": round(rate / jieba_rate, 3),
            "wall_clock": {"guide_messages_per_s": round(wall_rate, 1),
                           "jieba_messages_per_s": round(jieba_wall_rate, 1)},
            "extrapolated_seconds_for_target": round(target / rate, 0),
            "peak_rss_mb_before_stream": round(before, 1), "peak_rss_mb": round(_peak_mb(), 1),
            "issues": result.issues, "alerts": result.alerts, "topics": result.topics, "load_average_1min": load}


def run() -> dict[str, Any]:
    target = int(os.environ.get("MASSLINE_BENCH_GUIDE_N", "1000000"))
    budget = float(os.environ.get("MASSLINE_BENCH_GUIDE_SECONDS", "420"))
    wall = fj3_wall()
    big = stream(target, budget)
    return {
        "name": "guide",
        "metrics": {"fj3_seconds_topics_hot_bursts": wall["seconds_total"],
                    "fj3_cpu_seconds_topics_hot_bursts": wall["cpu_seconds_total"],
                    "stream_processed": big["processed"],
                    "stream_messages_per_s": big["guide_messages_per_s"],
                    "jieba_messages_per_s": big["jieba_messages_per_s"], "ratio_to_jieba": big["ratio_to_jieba"],
                    "peak_rss_mb": big["peak_rss_mb"]},
        "baseline": {"jieba.lcut messages/s (title + body head)": big["jieba_messages_per_s"]},
        "ratio": big["ratio_to_jieba"],
        "fj3": wall, "stream": big,
        "data": "../shared/data/taidi2020/fj3_hot_messages_full.csv (附件3), resampled and perturbed for the stream",
    }
