"""Claim matching throughput: our BM25 + calibrated decision vs the character TF-IDF baseline, same run.

Data: the shipped evaluation set (``evaluation/claims/``: 791 CED claims, 924 texts). Both systems
index the same claims and match the same texts one at a time (the way messages arrive); the
baseline is the one ``massline eval claims`` reports beside ours (character 1–3-gram TF-IDF cosine).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from massline.claims.evalset import read_pairs
from massline.claims.evidence import read_claim_file
from massline.claims.matcher import Calibration, IndexedClaim, Matcher
from massline.claims.text import normalise

ROOT = Path(__file__).resolve().parent.parent / "evaluation" / "claims"
LIMIT = 400  # texts per system, keeps the run short on a shared machine


def run() -> dict[str, Any]:
    records, _ = read_claim_file(ROOT / "ced_claims.jsonl")
    claims = [IndexedClaim(r.claim_id, r.text, r.verdict, tuple(r.variants)) for r in records]
    texts = [p.text for p in read_pairs(ROOT / "pairs.jsonl")][:LIMIT]
    started = time.perf_counter()
    matcher = Matcher.build(claims, Calibration.load())
    ours_index = time.perf_counter() - started
    matcher.match("预热")
    started = time.perf_counter()
    for text in texts:
        matcher.match(text)
    ours = len(texts) / (time.perf_counter() - started)

    started = time.perf_counter()
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    docs = vec.fit_transform([normalise(w) for c in claims for w in (c.text, *c.variants)])
    base_index = time.perf_counter() - started
    started = time.perf_counter()
    for text in texts:
        sims = (vec.transform([normalise(text)]) @ docs.T).toarray().ravel()
        np.argsort(-sims)[:5]
    base = len(texts) / (time.perf_counter() - started)
    return {
        "name": "bench_claims",
        "data": "evaluation/claims (791 CED claims; first 400 texts of pairs.jsonl)",
        "metrics": {"massline_texts_per_s": round(ours, 1), "massline_index_s": round(ours_index, 2),
                    "tfidf_texts_per_s": round(base, 1), "tfidf_index_s": round(base_index, 2), "texts": len(texts)},
        "baseline": {"tfidf_texts_per_s": round(base, 1)},
        "ratio": round(ours / base, 3),
    }
