"""Publicize: recommendation quality on the time split (ours vs the popularity baseline, same run)
and feed building speed (our three feeds vs rendering the same posts to sanitised HTML only).

* recommendation: :func:`massline.publish.recommend.evaluate` on 附件2 (train + dev) and 附件3 —
  hit rate@5 and nDCG@5 of the shipped ranker and of the popularity baseline; ratio = ours / baseline.
* feeds: 200 synthetic published posts (Markdown bodies of ~600 characters) in memory; RSS, Atom and
  JSON Feed built 5 times each from a cold render cache (best pass), RSS also warm; baseline = masking +
  Markdown → sanitised HTML + summary of the same posts, the floor every cold feed pays.
  Ratio = feed time / baseline time. Bounded to ~1–2 min.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "taidi2020"
FILES = ("fj2_train.csv", "fj2_dev.csv", "fj3_hot_messages_full.csv")
POSTS = 200
ROUNDS = 5


def _posts() -> list[Any]:
    from massline.db.models.publish import Post

    now = datetime(2026, 12, 1, tzinfo=UTC)
    body = "## 通知\n\n" + "西湖路施工期间请绕行，**公交 12 路**临时改线。\n\n- 时间：12月10日\n- 咨询：12345\n\n" * 6
    return [Post(id=i + 1, kind="notice", title=f"通知 {i}", body=f"{body}\n\n编号 {i}", topics=["交通运输"],
                 districts=["A3区"],
                 status="published", author="ed", revision=1, pii_check={}, created_at=now - timedelta(hours=i),
                 updated_at=now - timedelta(hours=i), published_at=now - timedelta(hours=i)) for i in range(POSTS)]


def _best(fn: Any) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def run() -> dict[str, Any]:
    from massline.publish import recommend
    from massline.publish.feeds import BUILDERS, FeedScope
    from massline.publish.posts import public_view
    from massline.publish.render import plain_summary, render_markdown

    rec = recommend.evaluate([DATA / f for f in FILES])
    shipped = rec[rec["shipped"]]
    posts = _posts()
    now = datetime.now(UTC)
    from massline.publish import feeds as feed_module

    def floor() -> None:
        for p in posts:
            body = public_view(p)[1]
            render_markdown(body), plain_summary(body)

    def cold(build: Any) -> None:
        feed_module._rendered.cache_clear()  # every round renders every body again
        build(posts, "https://gov.example.org", FeedScope(), now)

    baseline = _best(floor)
    feeds = {fmt: _best(lambda b=build: cold(b)) for fmt, build in BUILDERS.items()}
    warm = _best(lambda: BUILDERS["rss"](posts, "https://gov.example.org", FeedScope(), now))
    return {
        "metrics": {
            "recommend_hit_rate@5": shipped["hit_rate@5"], "recommend_ndcg@5": shipped["ndcg@5"],
            "baseline_hit_rate@5": rec["popularity_baseline"]["hit_rate@5"],
            "baseline_ndcg@5": rec["popularity_baseline"]["ndcg@5"],
            **{f"feed_{fmt}_posts_per_s": round(POSTS / t, 1) for fmt, t in feeds.items()},
            "feed_rss_warm_posts_per_s": round(POSTS / warm, 1),
            "render_only_posts_per_s": round(POSTS / baseline, 1),
        },
        "baseline": {"recommend": "popularity (global title-word frequency)", "feeds": "render + sanitise only"},
        "ratio": {"recommend_hit_rate": rec["ratio_vs_baseline"]["hit_rate@5"],
                  "recommend_ndcg": rec["ratio_vs_baseline"]["ndcg@5"],
                  **{f"feed_{fmt}_time_vs_render": round(t / baseline, 2) for fmt, t in feeds.items()}},
        "recommend": rec,
    }
