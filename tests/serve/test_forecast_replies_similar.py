"""Demand forecasts, reply checks and similar-case search on real shipped data and through the CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from typer.testing import CliRunner

from massline.cli.app import app
from massline.serve.forecast.backtest import backtest_level, is_sparse
from massline.serve.forecast.calendar import day_class
from massline.serve.forecast.models import Context, forecast, interval
from massline.serve.forecast.series import TOTAL, build_series
from massline.serve.forecast.service import file_events
from massline.serve.replies.quality import check_reply
from massline.serve.similar import BM25Index

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "taidi2020"
TZ = ZoneInfo("Asia/Shanghai")


def test_series_use_local_days_and_fill_gaps() -> None:
    late = datetime(2019, 5, 1, 15, 30, tzinfo=UTC)  # 23:30 in Beijing: still 1 May
    events = [(late, "A1区"), (late + timedelta(days=2), None)]
    series = {s.key: s for s in build_series(events, level="district", freq="D", tz=TZ)}
    assert series[TOTAL].start == date(2019, 5, 1) and series[TOTAL].values.tolist() == [1, 0, 1]
    assert series["A1区"].values.tolist() == [1, 0, 0]


def test_holiday_calendar_classes() -> None:
    assert day_class(date(2019, 10, 2)) == 8  # 国庆, a Wednesday off
    assert day_class(date(2019, 9, 29)) == 0  # adjusted working Sunday counts as a working day
    assert day_class(date(2019, 10, 12)) in range(0, 7)  # adjusted working Saturday
    assert day_class(date(2019, 11, 9)) == 7  # an ordinary Saturday


def test_intervals_cover_poisson_counts() -> None:
    rng = np.random.default_rng(0)
    ctx = Context("D", date(2019, 1, 7))
    y = rng.poisson(10, 140).astype(float)
    fc = forecast("profile", y, 7, ctx)
    assert (fc.lo <= fc.point).all() and (fc.point <= fc.hi).all()
    lo, hi = interval(np.full(2000, 10.0), 1.0)
    draws = rng.poisson(10, 2000)
    assert 0.75 <= float(np.mean((draws >= lo) & (draws <= hi))) <= 0.95


def test_backtest_on_shipped_fj4_beats_nothing_silently() -> None:
    events = list(file_events([DATA / "fj4_messages_with_replies_full.csv"], "total"))
    total = next(s for s in build_series(events, level="total", freq="W", tz=TZ) if s.key == TOTAL)
    result = backtest_level("total", [total], total, models=("snaive", "profile"))
    assert result.best in ("snaive", "profile")
    assert all(v["mase"] is not None and v["coverage"] is not None for v in result.models.values())
    assert not is_sparse(total.values, "W")


def test_forecast_cli_json_contract() -> None:
    res = CliRunner().invoke(app, ["forecast", "--data", str(DATA / "sample_fj4_120.csv"), "--by", "district",
                                   "--freq", "W", "--horizon", "3", "--format", "json", "--model", "snaive"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output.strip().splitlines()[-1])
    assert out[0]["key"] == TOTAL and len(out[0]["forecast"]) == 3
    assert all({"period", "point", "lo", "hi"} <= set(v) for r in out for v in r["forecast"])
    assert any(r["sparse"] and r["model"] == "pooled" and r["notes"] for r in out[1:])


def test_forecast_cli_refuses_bad_level() -> None:
    res = CliRunner().invoke(app, ["forecast", "--by", "street"])
    assert res.exit_code != 0 and "--by" in res.output


def test_reply_without_basis_is_flagged_with_reason() -> None:
    checks = {c.name: c for c in check_reply("您好，已收悉，我们会处理。", message="A2区魅力之城小区夜间施工噪音扰民")}
    assert not checks["interpretability"].ok and "未引用" in checks["interpretability"].reason
    assert not checks["completeness"].ok and "缺少" in checks["completeness"].reason
    assert (not checks["relevance"].ok and "魅力之城小区" in checks["relevance"].reason) or "A2区" in \
        checks["relevance"].reason
    assert not checks["personal_data"].blocking


def test_reply_with_personal_data_blocks() -> None:
    checks = {c.name: c for c in check_reply("张先生您好，请致电 13812345678 联系，身份证 110101199003070012。")}
    assert checks["personal_data"].blocking and "个人信息" in checks["personal_data"].reason


def test_reply_timeliness_counts_working_days() -> None:
    asked = datetime(2019, 9, 27, 10, tzinfo=TZ)  # Friday before 国庆
    answered = datetime(2019, 10, 9, 10, tzinfo=TZ)
    check = next(c for c in check_reply("您好", asked=asked, answered=answered) if c.name == "timeliness")
    assert "第 4 个工作日" in check.reason and check.ok  # 29 Sep (adjusted), 30 Sep, 8 Oct, 9 Oct


def test_bm25_finds_the_same_complaint() -> None:
    texts = ["A2区魅力之城小区旁搅拌站夜间噪音扰民", "A5区地铁站附近共享单车乱停放",
             "魅力之城小区搅拌站粉尘噪音问题严重", "公积金贷款政策咨询"]
    hits = BM25Index(texts).query("魅力之城小区的搅拌站晚上太吵", 2)
    assert {h.index for h in hits} == {0, 2}


def test_replies_check_cli_last_line_json() -> None:
    reply = "网友您好！经调查核实，根据《城市道路管理条例》，该路段将于5月底前修复。"
    res = CliRunner().invoke(app, ["replies", "check", reply])
    assert res.exit_code == 0, res.output
    checks = json.loads(res.output.strip().splitlines()[-1])
    assert {c["name"] for c in checks} == {"relevance", "completeness", "interpretability", "timeliness",
                                           "politeness", "personal_data"}


@pytest.mark.parametrize("labels", ["evaluation/replies/labels_massline.csv"])
def test_own_labels_are_complete(labels: str) -> None:
    path = Path(__file__).resolve().parents[2] / labels
    rows = path.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "留言编号,完整性指标,可解释性指标" and len(rows) - 1 >= 140
