"""``massline forecast`` and ``massline eval forecast``: demand forecasts and their backtests."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from massline.cli._apps import app, bad_input, console, database_url, err_console, eval_app, print_table

SHIPPED = ("fj2_train.csv", "fj2_dev.csv", "fj3_hot_messages_full.csv", "fj4_messages_with_replies_full.csv")


@app.command("forecast")
def forecast_cmd(
    by: Annotated[str, typer.Option("--by", help="total | category | district")] = "total",
    freq: Annotated[str, typer.Option("--freq", help="D (days) or W (weeks, Monday first)")] = "D",
    horizon: Annotated[int | None, typer.Option("--horizon", min=1, max=90, help="Periods ahead "
                                                "(default 7 days / 4 weeks).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json | csv")] = "table",
    data: Annotated[list[Path] | None, typer.Option("--data", help="Forecast from these 泰迪杯-style CSV files "
                                                    "instead of the stored messages (nothing is stored).")] = None,
    model: Annotated[str | None, typer.Option("--model", help="Force a model (default: best by backtest).")] = None,
) -> None:
    """Forecast demand per level; stored messages' forecasts are saved with model, version and data window."""
    from massline.serve.forecast.backtest import HORIZON
    from massline.serve.forecast.models import MODELS
    from massline.serve.forecast.service import LEVELS, db_events, file_events, forecast_events, store
    from massline.serve.metrics import LOCAL_TZ

    if by not in LEVELS:
        raise typer.BadParameter(f"must be one of {', '.join(LEVELS)}", param_hint="--by")
    if freq not in HORIZON:
        raise typer.BadParameter("must be D or W", param_hint="--freq")
    if fmt not in ("table", "json", "csv"):
        raise typer.BadParameter("must be table, json or csv", param_hint="--format")
    if model is not None and model not in MODELS:
        raise typer.BadParameter(f"must be one of {', '.join(MODELS)}", param_hint="--model")
    h = horizon or HORIZON[freq]
    if data:
        missing = [str(p) for p in data if not p.is_file()]
        if missing:
            raise typer.BadParameter(f"no such file: {', '.join(missing)}", param_hint="--data")
        results = forecast_events(file_events(data, by), level=by, freq=freq, horizon=h, tz=LOCAL_TZ, model=model)
    else:
        from massline.db.session import session_scope

        with session_scope(database_url()) as session:
            results = forecast_events(list(db_events(session, by)), level=by, freq=freq, horizon=h, tz=LOCAL_TZ,
                                      model=model)
            store(session, results)
    if not results:
        err_console.print("[yellow]no dated messages to forecast[/]")
    if fmt == "json":
        typer.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False))
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["level", "key", "period", "point", "lo", "hi", "model", "sparse"])
        for r in results:
            for v in r.values:
                writer.writerow([r.level, r.key, v["period"], v["point"], v["lo"], v["hi"], r.model, r.sparse])
        typer.echo(buf.getvalue().rstrip("\n"))
    else:
        print_table(f"forecast by {by} ({freq}, 80 % intervals)", ("key", "model", "next periods: point [lo–hi]"),
                    ((r.key + (" (稀疏)" if r.sparse else ""), r.model,
                      "  ".join(f"{v['period'][5:]} {v['point']:.1f} [{v['lo']}–{v['hi']}]" for v in r.values[:7]))
                     for r in results))


@eval_app.command("forecast")
def eval_forecast_cmd(
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Folder with the 泰迪杯 CSVs (default: the "
                                                  "shipped data, see MASSLINE_SHARED_DATA).")] = None,
) -> None:
    """Rolling-origin backtests per level and frequency, on 附件2/3/4 together and each alone, with the
    seasonal naive baseline in the same run. The LAST line printed is one JSON object."""
    from massline.serve.forecast.backtest import backtest_level
    from massline.serve.forecast.series import build_series, split_level
    from massline.serve.forecast.service import LEVELS, file_events
    from massline.serve.metrics import LOCAL_TZ

    data_dir = data_dir or shipped_dir()
    datasets = {"all": list(SHIPPED), "fj2": list(SHIPPED[:2]), "fj3": [SHIPPED[2]], "fj4": [SHIPPED[3]]}
    missing = [n for n in SHIPPED if not (data_dir / n).is_file()]
    if missing:
        err_console.print(f"[red]missing in {data_dir}:[/] {', '.join(missing)}")
        raise typer.Exit(2)
    out: dict[str, object] = {}
    rows = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("backtesting", total=len(datasets) * len(LEVELS) * 2)
        for name, files in datasets.items():
            out[name] = {}
            for level in LEVELS:
                events = list(file_events([data_dir / f for f in files], level))
                for freq in ("D", "W"):
                    series = build_series(events, level=level, freq=freq, tz=LOCAL_TZ)
                    progress.advance(task)
                    if not series:
                        continue
                    total, members = split_level(series, level)
                    if level == "category" and not members:
                        continue  # a file without labels has no category level
                    result = backtest_level(level, members, total).as_dict()
                    out[name][f"{level}/{freq}"] = result  # type: ignore[index]
                    models = result["models"]
                    best = result["best"]
                    base = models["snaive"]["mase"]  # type: ignore[index]
                    rows.append((name, level, freq, str(result["series"]), str(result["sparse_series"]),
                                 str(best or "—"), _fmt(models[best]["mase"] if best else None),  # type: ignore[index]
                                 _fmt(base), _fmt(models[best]["coverage"] if best else None),  # type: ignore[index]
                                 _fmt(result["sparse"]["pooled"]["mase"]),  # type: ignore[index]
                                 _fmt(result["sparse"]["snaive"]["mase"])))  # type: ignore[index]
    print_table("rolling-origin backtest (MASE: lower is better; coverage of 80 % intervals)",
                ("data", "level", "freq", "series", "sparse", "best", "MASE best", "MASE snaive",
                 "coverage", "sparse: pooled", "sparse: snaive"), rows)
    typer.echo(json.dumps(out, ensure_ascii=False))


def shipped_dir() -> Path:
    """The folder of the shipped 泰迪杯 files (``MASSLINE_SHARED_DATA`` or ``shared/`` beside the checkout)."""
    from massline.analyze.classify.data import shared_data_file

    with bad_input():
        return shared_data_file(SHIPPED[0]).parent


def _fmt(value: object) -> str:
    return "—" if value is None else f"{float(value):.3f}"  # type: ignore[arg-type]
