"""Topics on real 附件3 messages: fit, incremental assignment of new messages, persistence, status over time."""

from __future__ import annotations

from pathlib import Path

from massline.guide.evaluate import npmi
from massline.guide.hot import Analysis
from massline.guide.topics import TopicModel, problem_words, trends


def test_new_messages_are_assigned_to_the_topic_of_their_kind_without_refit(slice_analysis: Analysis,
                                                                             tmp_path: Path) -> None:
    docs = [problem_words(f) for f in slice_analysis.feats]
    titles = [m.title for m in slice_analysis.messages]
    train = [i for i in range(len(docs)) if i % 4]
    model = TopicModel.fit([docs[i] for i in train], [titles[i] for i in train], k=8, seed=0)
    # 伊景园滨河苑 buyers forced to buy a parking space with the flat: a topic of its own in 附件3
    bundling = next(t for t, words in enumerate(model.top_words) if "捆绑" in words[:10])
    later = [i for i in range(0, len(docs), 4) if "捆绑" in titles[i]]
    assert len(later) >= 3, "held-out messages about bundled parking spaces"
    centers_before = model.centers.copy()
    assigned = model.update([docs[i] for i in later])
    assert sum(a == bundling for a in assigned) >= 0.7 * len(later)
    assert (model.centers != centers_before).any() and model.k == 8  # moved, not refitted
    loaded = TopicModel.load(model.save(tmp_path / "topics"))
    assert loaded is not None and loaded.assign([docs[i] for i in later]) == model.assign([docs[i] for i in later])
    assert npmi(model, docs) > 0.05


def test_topic_status_over_months() -> None:
    from datetime import UTC, datetime

    times = [datetime(2019, m, 5, tzinfo=UTC) for m in (1, 2, 3, 4) for _ in range(4)]
    times += [datetime(2019, 5, 5, tzinfo=UTC)] * 12
    assigned = [0] * 16 + [0] * 10 + [1] * 2
    tr = trends(assigned, times, 2, "month")
    assert tr["periods"][-1] == "2019-05"
    assert tr["status"][0] == "growing" and tr["status"][1] == "new"


def test_guide_topics_cli_fits_then_assigns_without_refit(sqlite_url: str, tmp_path: Path) -> None:
    import json

    from tests.guide.conftest import FJ3_SAMPLE
    from typer.testing import CliRunner

    import massline.cli.app  # noqa: F401  (registers every command)
    from massline.cli._apps import app

    args = ["--database-url", sqlite_url, "--data-dir", str(tmp_path), "guide", "topics", "--data", str(FJ3_SAMPLE),
            "--format", "json"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    view = json.loads(first.stdout.strip().splitlines()[-1])
    assert view["topics"] and sum(t["count"] for t in view["topics"]) + sum(view["other"]) == 30
    assert all(t["status"] in ("new", "growing", "stable", "fading", "quiet") for t in view["topics"])
    assert (tmp_path / "models" / "guide_topics" / "topics.npz").exists()
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0 and "no refit" in second.output
