"""Category classifier vs the TF-IDF char 1-3 + jieba word LinearSVC baseline, trained in the same run.

Both learn from fj2_train.csv (4,827 messages) and are scored on fj2_dev.csv (851) with the
same messages (the baseline reads title and body as one passage, ``reading_text``, as it did
before the model had a title block); throughput is messages/s classified in one process, text
to label *with its explanation* (ours), in batches of 500, per wall second and per CPU second;
the baseline segments with jieba, ours needs no segmentation since features version 3.

Run: ``.venv/bin/python benchmarks/run.py classify`` (about 1–2 minutes on 2 cores).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.svm import LinearSVC

from massline.analyze.classify.data import read_labelled
from massline.analyze.classify.evaluate import evaluate
from massline.analyze.classify.model import train_model
from massline.analyze.classify.text import reading_text, word_tokens
from massline.core.config import Settings

TAIDI = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "taidi2020"
THROUGHPUT_ROUNDS = 2


def baseline() -> Pipeline:
    """The issue's reference: TF-IDF char 1-3-grams + jieba words, LinearSVC."""
    return make_pipeline(
        make_union(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2),
                   TfidfVectorizer(tokenizer=word_tokens, token_pattern=None, lowercase=False, sublinear_tf=True,
                                   min_df=2)),
        LinearSVC(C=1.0))


def _throughput(predict: Any, texts: list[str], batch: int = 500) -> tuple[float, float]:
    """(messages per wall second, messages per CPU second of this process) in batches of ``batch``.

    CPU seconds are the "per core" figure: on a shared machine the wall clock also counts the
    time other jobs held the core; this process runs single-threaded (``OMP_NUM_THREADS=1``).
    """
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(THROUGHPUT_ROUNDS):
        for i in range(0, len(texts), batch):
            predict(texts[i : i + batch])
    n = THROUGHPUT_ROUNDS * len(texts)
    return n / (time.perf_counter() - started), n / (time.process_time() - cpu)


def run() -> dict[str, Any]:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    train = read_labelled(TAIDI / "fj2_train.csv").examples
    dev = read_labelled(TAIDI / "fj2_dev.csv").examples
    x_train, y_train = [reading_text(e.text) for e in train], [e.label for e in train]
    x_dev, y_dev = [reading_text(e.text) for e in dev], np.array([e.label for e in dev])
    word_tokens("预热")  # load the jieba dictionary before any clock starts

    started = time.perf_counter()
    base = baseline().fit(x_train, y_train)
    base_train_s = time.perf_counter() - started
    base_pred = base.predict(x_dev)
    base_rate, base_cpu_rate = _throughput(base.predict, x_dev)

    started = time.perf_counter()
    model = train_model(list(train))
    ours_train_s = time.perf_counter() - started
    threshold = Settings().route_threshold
    ours = evaluate(model, dev, threshold)
    ours_rate, ours_cpu_rate = _throughput(model.predict_explained, [e.text for e in dev])

    base_f1 = float(f1_score(y_dev, base_pred, average="macro"))
    return {
        "metrics": {
            "macro_f1": round(ours.macro_f1, 4),
            "accuracy": round(ours.accuracy, 4),
            "coverage_at_threshold": round(ours.coverage_at_threshold, 4),
            "accuracy_at_threshold": round(ours.accuracy_at_threshold, 4),
            "threshold": threshold,
            "messages_per_s": round(ours_rate, 1),
            "messages_per_cpu_s": round(ours_cpu_rate, 1),
            "train_s": round(ours_train_s, 1),
        },
        "baseline": {
            "name": "TF-IDF char 1-3 + jieba word, LinearSVC (C=1)",
            "macro_f1": round(base_f1, 4),
            "accuracy": round(float(accuracy_score(y_dev, base_pred)), 4),
            "messages_per_s": round(base_rate, 1),
            "messages_per_cpu_s": round(base_cpu_rate, 1),
            "train_s": round(base_train_s, 1),
        },
        "ratio": {
            "macro_f1_gain_points": round(100 * (ours.macro_f1 - base_f1), 2),
            "error_rate_ours_over_baseline": round((1 - ours.accuracy) / max(1e-9, 1 - accuracy_score(y_dev,
                                                                                                       base_pred)), 3),
            "throughput_ours_over_baseline": round(ours_rate / base_rate, 3),
            "cpu_throughput_ours_over_baseline": round(ours_cpu_rate / base_cpu_rate, 3),
        },
        "data": "泰迪杯 2020 C题 附件2: train fj2_train.csv (4,827), scored on fj2_dev.csv (851)",
        "model_version": model.version,
        "cross_validation_on_train": model.meta["cross_validation"],
    }
