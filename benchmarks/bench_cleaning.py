"""Cleaning throughput over the 泰迪杯 附件2/3/4 messages, next to jieba-alone segmentation on the same texts.

Why jieba as the baseline: segmentation is the first thing analysis does to every message, so
"cleaning costs X times a jieba pass" says whether cleaning can be the bottleneck, and it is
measured in the same run on the same machine (a shared 2-core box is too noisy for absolute
numbers). Each message is ``留言主题`` (title) + ``留言详情`` (body), as intake builds them.

Run: ``.venv/bin/python benchmarks/run.py cleaning`` (bounded well under 3 minutes).
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

import jieba

from massline.clean.components import CLEAN_PIPELINE
from massline.core.types import Doc
from massline.pipeline import build_pipeline

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "taidi2020"
FILES = ("fj2_train.csv", "fj3_hot_messages_full.csv", "fj4_messages_with_replies_full.csv")


def load() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for name in FILES:
        with (DATA / name).open(encoding="utf-8", newline="") as f:
            rows.extend((r.get("留言主题") or "", r.get("留言详情") or "") for r in csv.DictReader(f))
    return rows


def run() -> dict[str, Any]:
    rows = load()
    chars = sum(len(t) + len(b) for t, b in rows)
    pipeline = build_pipeline(CLEAN_PIPELINE)
    pipeline.pipe([Doc(text="預熱 warm-up 報(bào)", title="预热")])  # build converters and tables once
    jieba.initialize()
    jieba.lcut("预热分词词典")

    docs = [Doc(text=body, title=title) for title, body in rows]
    pipeline.timings.clear()
    started = time.perf_counter()
    pipeline.pipe(docs)
    clean_s = time.perf_counter() - started

    started = time.perf_counter()
    for title, body in rows:
        jieba.lcut(title)
        jieba.lcut(body)
    jieba_s = time.perf_counter() - started

    clean_rate = len(rows) / clean_s
    jieba_rate = len(rows) / jieba_s
    return {
        "name": "cleaning",
        "metrics": {
            "messages": len(rows),
            "characters": chars,
            "cleaning_messages_per_s": round(clean_rate, 1),
            "jieba_messages_per_s": round(jieba_rate, 1),
            "cleaning_vs_jieba_speed_ratio": round(clean_rate / jieba_rate, 2),
        },
        "baseline": {"jieba.lcut messages/s": round(jieba_rate, 1)},
        "ratio": round(clean_rate / jieba_rate, 2),
        "component_seconds": {name: round(s, 3) for name, s in pipeline.timings.items()},
        "data": [f"../shared/data/taidi2020/{name} (留言主题 + 留言详情)" for name in FILES],
    }
