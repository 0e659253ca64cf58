"""Candidate forecasters. Each takes a count series and a horizon and returns point forecasts.

Why several and not one: citizen contacts follow the working week (fewer on days off), drift
slowly, and many category × district series are thin. Which of the seasonal naive baseline,
a day-type profile, ETS or Theta forecasts best is decided per level by rolling-origin
backtest (:mod:`.backtest`), not by taste. ETS and Theta come from statsmodels (maintained,
no compilation step at run time); the profile model is ours because no library models the
Chinese holiday calendar's adjusted working days.

Intervals: counts are over-dispersed Poisson, so every model's interval is a negative binomial
around its point forecast with the dispersion measured on the training window's residuals of
the profile model — no test data is used, and thin series get honest wide intervals.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
from scipy import stats

from massline.serve.forecast.calendar import day_class, is_workday

VERSION = "1"
#: Days (or weeks) of history a model looks at: enough for a year's rhythm, bounded for speed.
WINDOW = {"D": 364, "W": 104}
LEVEL_SPAN = {"D": 28, "W": 8}
COVERAGE = 0.8


@dataclass(slots=True)
class Context:
    """What a model knows besides the values: the calendar of the training and target periods."""

    freq: str
    start: date  # first period of ``y``

    def day(self, i: int) -> date:
        return self.start + timedelta(days=i if self.freq == "D" else 7 * i)


@dataclass(slots=True)
class Forecast:
    model: str
    point: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    notes: list[str] = field(default_factory=list)


def _season(freq: str) -> int:
    return 7 if freq == "D" else 1


def seasonal_naive(y: np.ndarray, h: int, ctx: Context) -> np.ndarray:
    m = min(_season(ctx.freq), len(y))
    last = y[-m:]
    return np.array([last[i % m] for i in range(h)], dtype=float)


def seasonal_mean(y: np.ndarray, h: int, ctx: Context) -> np.ndarray:
    """Mean of the same weekday over the last four weeks (the last four periods for weekly data):
    steadier than repeating one week, still following the working week."""
    m = _season(ctx.freq)
    k = max(1, min(4, len(y) // m)) if m > 1 else min(4, len(y))
    if m == 1:
        return np.full(h, float(y[-k:].mean()))
    last = y[-k * m:].reshape(k, m).mean(axis=0)
    return np.array([last[i % m] for i in range(h)], dtype=float)


def _weight(ctx: Context, i: int) -> float:
    """Relative contact volume of period ``i`` from the calendar alone (days off count half)."""
    if ctx.freq == "D":
        return 1.0 if is_workday(ctx.day(i)) else 0.5
    monday = ctx.day(i)
    return sum(1.0 if is_workday(monday + timedelta(days=d)) else 0.5 for d in range(7)) / 6.0


@lru_cache(maxsize=512)
def _calendar(freq: str, start: date, n: int) -> np.ndarray:
    """Day classes (daily) or calendar weights (weekly) of ``n`` periods from ``start``: computed once per window."""
    ctx = Context(freq, start)
    if freq == "D":
        return np.array([day_class(ctx.day(i)) for i in range(n)])
    return np.array([_weight(ctx, i) for i in range(n)])


def _profile_fit(y: np.ndarray, ctx: Context) -> tuple[float, dict[int, float]]:
    """Deseasonalised level and day-class factors (daily) from the training window."""
    n = len(y)
    cal = _calendar(ctx.freq, ctx.start, n)
    if ctx.freq == "W":
        span = min(LEVEL_SPAN["W"], n)
        return float(y[-span:].sum() / max(cal[-span:].sum(), 1e-9)), {}
    classes = cal
    overall = y.mean() if y.mean() > 0 else 1.0
    factors: dict[int, float] = {}
    for c in range(9):
        mask = classes == c
        # shrink each factor towards 1 with 4 pseudo-days, so a class seen twice cannot swing it
        factors[c] = float((y[mask].sum() / overall + 4.0) / (mask.sum() + 4.0)) if mask.any() else 1.0
    span = min(LEVEL_SPAN["D"], n)
    recent = np.array([factors[c] for c in classes[-span:]])
    return float(y[-span:].sum() / max(recent.sum(), 1e-9)), factors


def profile(y: np.ndarray, h: int, ctx: Context) -> np.ndarray:
    level, factors = _profile_fit(y, ctx)
    n = len(y)
    if ctx.freq == "W":
        return np.array([level * _weight(ctx, n + i) for i in range(h)])
    return np.array([level * factors[day_class(ctx.day(n + i))] for i in range(h)])


def _fitted_profile(y: np.ndarray, ctx: Context) -> np.ndarray:
    level, factors = _profile_fit(y, ctx)
    cal = _calendar(ctx.freq, ctx.start, len(y))
    if ctx.freq == "W":
        return np.asarray(level * cal, dtype=float)
    return np.asarray(level * np.array([factors[c] for c in range(9)])[cal], dtype=float)


def ets(y: np.ndarray, h: int, ctx: Context) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    m = _season(ctx.freq)
    seasonal = "add" if m > 1 and len(y) >= 2 * m + 2 else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(y, trend=None, seasonal=seasonal, seasonal_periods=m if seasonal else None,
                                   initialization_method="estimated").fit()
        return np.asarray(fit.forecast(h), dtype=float)


def theta(y: np.ndarray, h: int, ctx: Context) -> np.ndarray:
    from statsmodels.tsa.forecasting.theta import ThetaModel

    m = _season(ctx.freq)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ThetaModel(y, period=m if m > 1 else None, deseasonalize=m > 1 and len(y) >= 2 * m,
                           method="additive")
        return np.asarray(model.fit().forecast(h), dtype=float)


Model = Callable[[np.ndarray, int, Context], np.ndarray]
MODELS: dict[str, Model] = {"snaive": seasonal_naive, "smean": seasonal_mean, "profile": profile, "ets": ets,
                           "theta": theta}
BASELINE = "snaive"


def dispersion(y: np.ndarray, ctx: Context) -> float:
    """Variance / mean of the training residuals (≥ 1: at least Poisson)."""
    mu = _fitted_profile(y, ctx)
    ok = mu > 0
    if ok.sum() < 5:
        return 1.0
    return float(max(1.0, np.mean((y[ok] - mu[ok]) ** 2 / mu[ok])))


def interval(point: np.ndarray, phi: float, coverage: float = COVERAGE) -> tuple[np.ndarray, np.ndarray]:
    """Central ``coverage`` interval of a negative binomial with mean ``point`` and variance ``phi·point``."""
    lo_q, hi_q = (1 - coverage) / 2, 1 - (1 - coverage) / 2
    mu = np.maximum(point, 1e-6)
    if phi <= 1.0 + 1e-9:
        return stats.poisson.ppf(lo_q, mu), stats.poisson.ppf(hi_q, mu)
    n = mu / (phi - 1.0)
    p = 1.0 / phi
    return stats.nbinom.ppf(lo_q, n, p), stats.nbinom.ppf(hi_q, n, p)


def forecast(name: str, y: np.ndarray, h: int, ctx: Context) -> Forecast:
    """Point forecast of model ``name`` (clipped at zero) with its interval, on the bounded window."""
    window = WINDOW[ctx.freq]
    if len(y) > window:
        ctx = Context(ctx.freq, ctx.day(len(y) - window))
        y = y[-window:]
    point = np.clip(MODELS[name](y, h, ctx), 0.0, None)
    point = np.where(np.isfinite(point), point, 0.0)
    lo, hi = interval(point, dispersion(y, ctx))
    return Forecast(name, point, lo, hi)
