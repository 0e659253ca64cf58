"""Analysis throughput beside jieba alone: the rule components, the whole pipeline, and ``massline analyze``.

Why jieba as the baseline: segmentation is the floor cost of any Chinese analysis; "the rule
components cost X times a jieba pass" says whether they can be the bottleneck next to the
classifier, measured in the same run on the same texts (fj2_dev.csv, 851 messages, title +
body). Then the whole ``ANALYZE_PIPELINE`` (with the classifier, personal-data scan and
routing) on the same texts, and ``massline analyze`` end to end — the same messages ingested into a
fresh SQLite database, analysed and saved (``analyze_messages``) — each against a jieba pass over
the same texts in the same run, per wall second and per CPU second (the machine is shared). The
classifier is trained on fj2_train.csv once and kept in ``var/bench/models``. The request-type
figures on the hand-checked sample are included.

Run: ``.venv/bin/python benchmarks/run.py analysis`` (a few minutes the first time: training).
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

    whole = whole_pipeline(rows)
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
            "pipeline_vs_jieba_wall": whole["pipeline"]["ratio_wall"],
            "pipeline_vs_jieba_cpu": whole["pipeline"]["ratio_cpu"],
            "massline_analyze_vs_jieba_wall": whole["massline_analyze"]["ratio_wall"],
            "massline_analyze_vs_jieba_cpu": whole["massline_analyze"]["ratio_cpu"],
        },
        "whole_pipeline": whole,
        "baseline": {"jieba.lcut messages/s": round(base, 1)},
        "ratio": round(rate / base, 2),
        "component_seconds": {name: round(s, 3) for name, s in pipeline.timings.items()},
        "distribution": {key: share(key) for key in ("request_type", "urgency", "sentiment")},
        "data": ["../shared/data/taidi2020/fj2_dev.csv (留言主题 + 留言详情)",
                 "tests/analyze/data/request_type_sample.jsonl (120 hand-checked)"],
    }


MODELS = Path(__file__).resolve().parents[1] / "var" / "bench" / "models"
TRAIN = DEV.with_name("fj2_train.csv")


def _timed(fn: Any) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _versus_jieba(n: int, work: Any, texts: list[str]) -> dict[str, float]:
    wall, cpu = _timed(work)
    jieba_wall, jieba_cpu = _timed(lambda: [jieba.lcut(t) for t in texts])
    return {"messages": n, "messages_per_s": round(n / wall, 1), "messages_per_cpu_s": round(n / cpu, 1),
            "jieba_messages_per_s": round(n / jieba_wall, 1), "jieba_messages_per_cpu_s": round(n / jieba_cpu, 1),
            "ratio_wall": round(jieba_wall / wall, 3), "ratio_cpu": round(jieba_cpu / cpu, 3)}


def whole_pipeline(rows: list[tuple[str, str]]) -> dict[str, Any]:
    """The full ANALYZE_PIPELINE in memory, then ``analyze_messages`` on a fresh SQLite database."""
    import tempfile

    from massline.analyze.classify.model import load_model, save_model, train_model
    from massline.analyze.components import ANALYZE_PIPELINE
    from massline.analyze.routing.table import ensure_rules, load_config
    from massline.analyze.run import analyze_messages
    from massline.core.config import Settings
    from massline.core.errors import ModelNotTrainedError
    from massline.db.models.message import Message
    from massline.db.session import session_scope, upgrade
    from massline.ingest.service import ingest_paths

    try:
        model = load_model(MODELS)
    except ModelNotTrainedError:
        model = train_model([TRAIN])
        save_model(model, MODELS)
    rules = load_config().rules
    pipeline = build_pipeline(ANALYZE_PIPELINE, {"analyze.category": {"model": model},
                                                 "analyze.route": {"rules": rules, "threshold": 0.85}})
    pipeline.pipe([Doc(text="预热：A2区泉塘街道", title="预热")])
    docs = [Doc(text=body, title=title) for title, body in rows]
    in_memory = _versus_jieba(len(docs), lambda: [pipeline.pipe(docs[i : i + 256]) for i in range(0, len(docs), 256)],
                              [f"{t}\n{b}" for t, b in rows])
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/bench.db", data_dir=Path(tmp), secret_key="bench")
        upgrade(settings.resolved_database_url())
        ingest_paths(settings, [DEV])
        save_model(model, settings.models_dir())
        with session_scope(settings.resolved_database_url()) as session:
            ensure_rules(session)
            texts = [f"{m.title or ''}\n{m.body}" for m in session.query(Message).order_by(Message.id)]
        end_to_end = _versus_jieba(len(texts), lambda: analyze_messages(settings, batch_size=256), texts)
    return {"pipeline": in_memory, "massline_analyze": end_to_end, "model_version": model.version}
