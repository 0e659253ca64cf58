"""Forecasts from stored messages or from files, and their storage.

Why the model is chosen per level at forecast time: the best model depends on how much and
what kind of history the installation has; a short backtest (4 origins) on the same data picks
it, and the choice is stored with each forecast (model, version, data window) so a planner
can see what a figure rests on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.analyze.places import find_places
from massline.db.models.forecast import DemandForecast
from massline.db.models.message import AnalysisResult, Message
from massline.ingest.dates import parse_datetime
from massline.serve.forecast.backtest import backtest_level, is_sparse, pooled
from massline.serve.forecast.models import VERSION, Context, forecast
from massline.serve.forecast.series import TOTAL, Series, build_series, split_level

LEVELS = ("total", "category", "district")
LABEL_COLUMNS = ("一级标签", "一级分类", "label", "category")

Event = tuple[datetime, str | None]


@dataclass(slots=True)
class SeriesForecast:
    level: str
    key: str
    freq: str
    model: str
    sparse: bool
    data_start: str
    data_end: str
    history: list[dict[str, Any]]
    values: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def as_dict(self, with_history: bool = False) -> dict[str, Any]:
        out = {"level": self.level, "key": self.key, "freq": self.freq, "model": self.model, "version": VERSION,
               "sparse": self.sparse, "data_start": self.data_start, "data_end": self.data_end,
               "forecast": self.values, "notes": self.notes}
        if with_history:
            out["history"] = self.history
        return out


def district_of(text: str) -> str | None:
    """The first district or county named in ``text`` (what the places analyzer stores as meta.district)."""
    return next((p["name"] for p in find_places(text) if p["level"] in ("district", "county")), None)


def file_events(paths: Iterable[Path], level: str) -> Iterator[Event]:
    """Events of 泰迪杯-style CSV files: 留言时间 (Beijing time) with the level's key (label or district)."""
    for path in paths:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                try:
                    when = parse_datetime(row.get("留言时间"))
                except ValueError:
                    continue
                if when is None:
                    continue
                yield when, _file_key(row, level)


def _file_key(row: dict[str, str], level: str) -> str | None:
    if level == "category":
        return next((row[c].strip() for c in LABEL_COLUMNS if (row.get(c) or "").strip()), None)
    if level == "district":
        return district_of(f"{row.get('留言主题', '')} {row.get('留言详情', '')}")
    return None


def db_events(session: Session, level: str) -> Iterator[Event]:
    """Stored messages' times (when written) with the level's key.

    Undated imported rows are left out: the moment a file was imported says nothing about when
    people asked (a bulk import would otherwise look like a burst of demand on import day). Web
    form and Open311 messages carry their submission time, so they always count.
    """
    stmt = select(Message.id, Message.created_at, Message.meta).where(Message.created_at.is_not(None))
    categories: dict[int, str] = {}
    if level == "category":
        categories = {mid: str(value) for mid, value in session.execute(
            select(AnalysisResult.message_id, AnalysisResult.value)
            .where(AnalysisResult.key == "category", AnalysisResult.current.is_(True)))}
    for mid, when, meta in session.execute(stmt):
        if when.tzinfo is None:  # defensive: the UTC column type hands back aware values
            when = when.replace(tzinfo=ZoneInfo("UTC"))
        key = categories.get(mid) if level == "category" else (meta or {}).get("district") if level == "district" \
            else None
        yield when, key


def forecast_events(events: Iterable[Event], *, level: str, freq: str, horizon: int, tz: ZoneInfo,
                    model: str | None = None) -> list[SeriesForecast]:
    """Forecast every series of a level (plus the total), choosing the model by a short backtest."""
    series = build_series(events, level=level, freq=freq, tz=tz)
    if not series:
        return []
    total, members = split_level(series, level)
    chosen = model or backtest_level(level, members, total, horizon=horizon, origins=4).best or "profile"
    out = []
    for s in [total, *members] if level != "total" else [total]:
        out.append(_one(s, total, chosen, horizon))
    return out


def _one(s: Series, total: Series, model: str, horizon: int) -> SeriesForecast:
    ctx = Context(s.freq, s.start)
    sparse = s.key != TOTAL and is_sparse(s.values, s.freq)
    fc = pooled(s.values, total.values, horizon, ctx) if sparse else forecast(model, s.values, horizon, ctx)
    n = len(s.values)
    values = [{"period": s.period_start(n + i).isoformat(), "point": round(float(fc.point[i]), 2),
               "lo": int(fc.lo[i]), "hi": int(fc.hi[i])} for i in range(horizon)]
    history = [{"period": s.period_start(i).isoformat(), "count": int(v)} for i, v in enumerate(s.values)]
    return SeriesForecast(s.level, s.key, s.freq, fc.model, sparse, s.start.isoformat(),
                          s.period_start(n - 1).isoformat(), history, values, fc.notes)


def store(session: Session, forecasts: Iterable[SeriesForecast]) -> list[DemandForecast]:
    rows = [DemandForecast(level=f.level, key=f.key, freq=f.freq, horizon=len(f.values), model=f.model,
                           version=VERSION, data_start=datetime.fromisoformat(f.data_start).date(),
                           data_end=datetime.fromisoformat(f.data_end).date(), sparse=f.sparse, values=f.values,
                           notes=f.notes) for f in forecasts]
    session.add_all(rows)
    session.flush()
    return rows
