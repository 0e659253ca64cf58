"""Rolling-origin backtests: which model forecasts a level best, and how honest its intervals are.

Why rolling origins and MASE: one split says little about a noisy count series; several
consecutive origins (each forecasting the next ``horizon`` periods from all data before it)
average that noise out. MASE divides each error by the training window's in-sample seasonal
naive error, so series of very different size can be averaged, and the seasonal naive baseline
scores about 1 by construction (below 1 = better than repeating last week).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from massline.serve.forecast.models import BASELINE, MODELS, WINDOW, Context, Forecast, forecast, interval, profile
from massline.serve.forecast.series import Series

MIN_HISTORY = {"D": 56, "W": 12}
HORIZON = {"D": 7, "W": 4}
ORIGINS = {"D": 8, "W": 6}
#: Below this mean count per period (over the last 8 weeks) a series is too thin to forecast alone.
SPARSE_RATE = {"D": 1.0, "W": 3.0}
SHARE_SPAN = {"D": 91, "W": 13}
POOLED = "pooled"


def is_sparse(values: np.ndarray, freq: str) -> bool:
    """Too little history, or too few events recently, to forecast this series on its own."""
    recent = values[-(56 if freq == "D" else 8):]
    return len(values) < MIN_HISTORY[freq] or float(recent.mean()) < SPARSE_RATE[freq]


def pooled(values: np.ndarray, total: np.ndarray, h: int, ctx: Context) -> Forecast:
    """Top-down forecast of a thin series: its recent share of the total times the total's forecast."""
    span = SHARE_SPAN[ctx.freq]
    share = float(values[-span:].sum() / max(total[-span:].sum(), 1.0))
    point = share * np.clip(profile(total, h, ctx), 0.0, None)
    lo, hi = interval(point, 1.0)
    return Forecast(POOLED, point, lo, hi, [f"稀疏序列：按近期占比 {share:.1%} 从总量分摊"])


@dataclass(slots=True)
class Scores:
    errors: list[float] = field(default_factory=list)
    inside: int = 0
    count: int = 0

    def add(self, err: float, fc: Forecast, actual: np.ndarray) -> None:
        self.errors.append(err)
        self.inside += int(((actual >= fc.lo) & (actual <= fc.hi)).sum())
        self.count += len(actual)

    def summary(self) -> dict[str, float | None]:
        return {"mase": round(float(np.mean(self.errors)), 3) if self.errors else None,
                "coverage": round(self.inside / self.count, 3) if self.count else None}


@dataclass(slots=True)
class BacktestResult:
    level: str
    freq: str
    horizon: int
    series: int
    sparse_series: int
    models: dict[str, dict[str, float | None]]
    sparse: dict[str, dict[str, float | None]]
    best: str | None
    baseline: str = BASELINE

    def as_dict(self) -> dict[str, object]:
        return {"level": self.level, "freq": self.freq, "horizon": self.horizon, "series": self.series,
                "sparse_series": self.sparse_series, "best": self.best, "baseline": self.baseline,
                "models": self.models, "sparse": self.sparse}


def _scale(train: np.ndarray, m: int, freq: str) -> float:
    """In-sample seasonal naive error on the window the models see (not on years of empty history)."""
    train = train[-WINDOW[freq]:]
    m = min(m, len(train) - 1)
    return float(np.mean(np.abs(train[m:] - train[:-m]))) if m > 0 else 0.0


def backtest_level(level: str, series: Iterable[Series], total: Series, *, horizon: int | None = None,
                   origins: int | None = None, models: Iterable[str] = tuple(MODELS)) -> BacktestResult:
    """Backtest every model on every series of a level (thin series: pooled vs the baseline)."""
    items = list(series)
    freq = total.freq
    h = horizon or HORIZON[freq]
    k = origins or ORIGINS[freq]
    names = list(models)
    dense: dict[str, Scores] = {name: Scores() for name in names}
    thin: dict[str, Scores] = {name: Scores() for name in (BASELINE, POOLED)}
    n_sparse = 0
    for s in items:
        n = len(s.values)
        sparse = is_sparse(s.values, freq)
        n_sparse += sparse
        for j in range(k, 0, -1):
            t = n - j * h
            if t < MIN_HISTORY[freq]:
                continue
            train, actual = s.values[:t], s.values[t:t + h]
            scale = _scale(train, s.season, freq)
            if scale == 0:
                continue
            ctx = Context(freq, s.start)
            runs = [(POOLED, pooled(train, total.values[:t], h, ctx)), (BASELINE, forecast(BASELINE, train, h, ctx))] \
                if sparse else [(name, forecast(name, train, h, ctx)) for name in names]
            for name, fc in runs:
                err = float(np.mean(np.abs(actual - fc.point)) / scale)
                (thin if sparse else dense)[name].add(err, fc, actual)
    summary = {name: sc.summary() for name, sc in dense.items()}
    scored = [(v["mase"], name) for name, v in summary.items() if v["mase"] is not None]
    best = min(scored)[1] if scored else None
    return BacktestResult(level, freq, h, len(items), n_sparse, summary,
                          {name: sc.summary() for name, sc in thin.items()}, best)
