"""Run every ``benchmarks/bench_*.py`` (or the ones named), write JSON results and print a table.

Each benchmark module defines ``run() -> dict`` returning ``{"name": ..., "metrics": {...},
"baseline": {...}, "ratio": ...}``. Benchmarks compare against a baseline measured in the
same run, because a 2-core shared machine is too noisy for absolute numbers to mean much.
Results land in ``benchmarks/results/<module>.json``; the README quotes them.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def main(argv: list[str]) -> int:
    console = Console()
    RESULTS.mkdir(exist_ok=True)
    wanted = set(argv)
    modules = sorted(p for p in HERE.glob("bench_*.py") if not wanted or p.stem in wanted or p.stem[6:] in wanted)
    table = Table(title="massline benchmarks")
    for col in ("benchmark", "metric", "value"):
        table.add_column(col)
    failed = 0
    for path in modules:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while it loads
        spec.loader.exec_module(module)
        console.rule(path.stem)
        started = time.perf_counter()
        try:
            result = module.run()
        except Exception as exc:  # a failing benchmark must not hide the others
            failed += 1
            console.print(f"[red]{path.stem} failed: {exc!r}[/]")
            continue
        result.setdefault("name", path.stem)
        result["wall_seconds"] = round(time.perf_counter() - started, 2)
        result["machine"] = {"python": platform.python_version(), "cpu_count": __import__("os").cpu_count()}
        result["when"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        (RESULTS / f"{path.stem}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        for key, value in _flatten(result.get("metrics", {})).items():
            table.add_row(path.stem, key, f"{value:,.2f}" if isinstance(value, float) else str(value))
    console.print(table)
    return 1 if failed else 0


def _flatten(d: dict[str, object], prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
