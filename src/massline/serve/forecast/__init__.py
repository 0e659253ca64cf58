"""Demand forecasting: how many requests of each kind will come, and where.

Layers: :mod:`.series` turns timestamped events into daily/weekly count series in the
installation's zone; :mod:`.models` holds the candidate forecasters (seasonal naive, a
weekday/holiday profile, ETS and Theta from statsmodels); :mod:`.backtest` scores them by
rolling-origin backtests (MASE, interval coverage); :mod:`.service` picks the best model per
level by backtest, forecasts, and stores the result with model, version and data window.
"""

from massline.serve.forecast.backtest import BacktestResult, backtest_level
from massline.serve.forecast.models import MODELS, Forecast
from massline.serve.forecast.series import Series, build_series

__all__ = ["MODELS", "BacktestResult", "Forecast", "Series", "backtest_level", "build_series"]
