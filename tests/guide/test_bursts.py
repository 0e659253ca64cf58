"""Bursts on real 附件3 messages: an injected burst is detected within a day, alerts carry reasons, JSON contract."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema_rs
from tests.guide.conftest import FJ3_SAMPLE
from typer.testing import CliRunner

import massline.cli.app  # noqa: F401  (registers every command)
from massline.cli._apps import app
from massline.guide.bursts import Seasonality, detect
from massline.guide.hot import Analysis, analyse_features
from massline.guide.inject import make_burst
from massline.guide.risk import score_alert
from massline.guide.schemas import ALERTS


def _inject(analysis: Analysis, template_word: str, size: int, hours: float) -> tuple[Analysis, list[int]]:
    msgs = analysis.messages
    template = next(i for i, m in enumerate(msgs) if template_word in m.title)
    start = msgs[len(msgs) * 2 // 3].created_at + timedelta(hours=1)
    burst = make_burst(msgs[template], analysis.feats[template], size=size, hours=hours, start=start, seed=7)
    mixed = analyse_features([*msgs, *(b[0] for b in burst)], [*analysis.feats, *(b[1] for b in burst)])
    return mixed, [i for i, m in enumerate(mixed.messages) if m.injected]


def test_an_injected_burst_is_detected_within_one_day_with_reasons(slice_analysis: Analysis) -> None:
    season = Seasonality.fit([m.created_at for m in slice_analysis.messages])
    mixed, injected = _inject(slice_analysis, "路灯", size=8, hours=6.0)
    first = min(mixed.messages[i].created_at for i in injected)
    alerts = [a for a in detect(mixed, season=season) if set(a.members) & set(injected)]
    assert alerts, "the injected burst was not detected"
    hit = min(alerts, key=lambda a: a.detected_at)
    assert timedelta(0) <= hit.detected_at - first <= timedelta(days=1)
    assert hit.observed > hit.expected and hit.score > 0
    assert len(hit.reasons) >= 3 and any("expected" in r for r in hit.reasons)
    assert all(r.strip() for r in hit.reasons)
    jsonschema_rs.validate(ALERTS, [a.as_json() for a in alerts])
    assert score_alert(mixed, hit).reasons


def test_the_archive_as_shipped_raises_few_alarms(slice_analysis: Analysis) -> None:
    alerts = detect(slice_analysis)
    months = {m.created_at.strftime("%Y-%m") for m in slice_analysis.messages}
    assert len(alerts) <= len(months)  # at most about one alarm a month on a quiet archive


def test_guide_bursts_cli_finds_an_injected_burst_and_prints_schema_valid_json(db_url: str, tmp_path: Path) -> None:
    injected = tmp_path / "fj3_sample_with_burst.csv"
    result = CliRunner().invoke(app, ["guide", "inject", "--data", str(FJ3_SAMPLE), "--output", str(injected),
                                      "--size", "6", "--hours", "3", "--template", "360113"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["--database-url", db_url, "guide", "bursts", "--data", str(injected),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    alerts = json.loads(result.stdout.strip().splitlines()[-1])
    jsonschema_rs.validate(ALERTS, alerts)
    assert any(any(str(e).startswith("inj0-") for e in a["external_ids"]) for a in alerts)
    assert all(a["reasons"] for a in alerts)
