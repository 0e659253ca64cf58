"""Rule-based analysis throughput (segment, request type, urgency, sentiment, places) beside jieba alone.

Why jieba as the baseline: segmentation is the floor cost of any Chinese analysis; "the rule
components cost X times a jieba pass" says whether they can be the bottleneck next to the
classifier, measured in the same run on the same texts (fj2_dev.csv, 851 messages, title +
body). The category and route components need a trained model and are measured by the
classification benchmark. The request-type figures on the hand-checked sample are included.

Run: ``.venv/bin/python benchmarks/run.py analysis`` (well under a minute).
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from pathlib import Path
from typing import Any

import jieba

from massline.analyze.evaluate import evaluate_request_type
from massline.core.types import Doc
from massline.pipeline import build_pipeline

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "taidi2020" / "fj2_dev.csv"
RULES = ("analyze.segment", "analyze.request_type", "analyze.urgency", "analyze.sentiment", "analyze.places")


def run() -> dict[str, Any]:
    with DEV.open(encoding="utf-8", newline="") as f:
        rows = [(r.get("留言主题") or "", r.get("留言详情") or "") for r in csv.DictReader(f)]
    pipeline = build_pipeline(RULES)
    pipeline.pipe([Doc(text="预热：A2区泉塘街道，住在先锋街道", title="预热")])  # load dictionaries once
    jieba.initialize()

    docs = [Doc(text=body, title=title) for title, body in rows]
    pipeline.timings.clear()
    started = time.perf_counter()
    docs = pipeline.pipe(docs)
    rules_s = time.perf_counter() - started

    started = time.perf_counter()
    for title, body in rows:
        jieba.lcut(f"{title}\n{body}")
    jieba_s = time.perf_counter() - started

    def share(key: str) -> dict[str, float]:
        counts = Counter(str(d.result(key).value) for d in docs if d.result(key) is not None)  # type: ignore[union-attr]
        return {k: round(v / len(docs), 3) for k, v in counts.most_common()}

    with_district = sum(1 for d in docs if d.meta.get("district")) / len(docs)
    rt = evaluate_request_type()
    rate, base = len(rows) / rules_s, len(rows) / jieba_s
    return {
        "name": "analysis",
        "metrics": {
            "messages": len(rows),
            "rules_messages_per_s": round(rate, 1),
            "jieba_messages_per_s": round(base, 1),
            "rules_vs_jieba_speed_ratio": round(rate / base, 2),
            "share_with_district": round(with_district, 3),
            "request_type_accuracy": round(rt["accuracy"], 4),
            "request_type_macro_f1": round(rt["macro_f1"], 4),
            "request_type_holdout_accuracy": round(rt["holdout"]["accuracy"], 4),
        },
        "baseline": {"jieba.lcut messages/s": round(base, 1)},
        "ratio": round(rate / base, 2),
        "component_seconds": {name: round(s, 3) for name, s in pipeline.timings.items()},
        "distribution": {key: share(key) for key in ("request_type", "urgency", "sentiment")},
        "data": ["../shared/data/taidi2020/fj2_dev.csv (留言主题 + 留言详情)",
                 "tests/analyze/data/request_type_sample.jsonl (120 hand-checked)"],
    }
