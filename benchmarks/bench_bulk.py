"""A million-row CSV in and out: ``massline ingest`` and ``massline export messages``, rows/s and peak memory.

Why: a large hotline's archive is millions of rows, and a CSV export that holds every row in
memory breaks (Ushahidi's broke above 5,000). The file is made by resampling the 附件2 training
messages with perturbed bodies, new writers and times (``massline.guide.stream.resample``), written
in the 泰迪杯 columns, so intake detects the profile and cleans real-looking text.

Each step runs as its own process, so its peak resident memory (measured by GNU ``time``) is
its own: the baselines are ``csv.reader`` reading the same file and ``csv.writer`` writing it
again, in the same run. What the ingest figure covers: every row stored verbatim (the file in parts
and each row as a raw item), mapped, cleaned (the full cleaning pipeline), stored as a message
and linked to its exact/near duplicates through the shared LSH index — **not** analysed
(``massline analyze`` is measured in ``bench_analysis``). The export is the masked CSV of
``massline export messages`` (every text through the personal-data masker).

Rows: ``MASSLINE_BENCH_BULK_ROWS`` (default 20,000 for ``make bench``; the README quotes
1,000,000). Database: ``MASSLINE_BENCH_DATABASE_URL`` (else a SQLite file); work files under
``MASSLINE_BENCH_BULK_DIR`` (else a temporary folder).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
TRAIN = HERE.parent / "shared" / "data" / "taidi2020" / "fj2_train.csv"
ROWS = int(os.environ.get("MASSLINE_BENCH_BULK_ROWS", "20000"))
GNU_TIME = "/usr/bin/time"
COLUMNS = ("留言编号", "留言用户", "留言主题", "留言时间", "留言详情")

READ = """
import csv, sys
csv.field_size_limit(64 * 1024 * 1024)
with open(sys.argv[1], encoding="utf-8", newline="") as f:
    n = sum(1 for _ in csv.reader(f)) - 1
print(n)
"""
WRITE = """
import csv, sys
csv.field_size_limit(64 * 1024 * 1024)
with open(sys.argv[1], encoding="utf-8", newline="") as f, open(sys.argv[2], "w", encoding="utf-8", newline="") as out:
    w = csv.writer(out)
    n = 0
    for row in csv.reader(f):
        w.writerow(row)
        n += 1
print(n - 1)
"""


def make_csv(path: Path, rows: int) -> int:
    """``rows`` resampled 附件2 messages in the 泰迪杯 columns; returns the file size in bytes."""
    from massline.guide.corpus import read_file
    from massline.guide.stream import resample

    base = read_file(TRAIN)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for m in resample(base, rows, seed=7):
            local = m.created_at.astimezone()
            writer.writerow([f"b{m.id}", m.author, m.title, f"{local:%Y/%-m/%-d %H:%M:%S}", m.body])
    return path.stat().st_size


def timed(cmd: list[str], env: dict[str, str], work: Path) -> dict[str, Any]:
    """Run ``cmd``; its wall and CPU seconds, peak resident memory (MB) and last output line.

    Through GNU ``time``: the ``ru_maxrss`` that ``wait4`` reports for a child started from this
    process would include this process's memory at the fork (the forked copy before ``exec``).
    """
    stats = work / "time.txt"
    started = time.perf_counter()
    proc = subprocess.run([GNU_TIME, "-f", "%U %S %M", "-o", str(stats), *cmd], env=env, capture_output=True,
                          text=True, check=False)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:6]} failed ({proc.returncode}): {proc.stdout[-300:]} {proc.stderr[-500:]}")
    user, system, peak_kb = stats.read_text().split()[-3:]
    lines = proc.stdout.strip().splitlines()
    return {"wall_s": round(wall, 2), "cpu_s": round(float(user) + float(system), 2),
            "peak_rss_mb": round(int(peak_kb) / 1024, 1), "last_line": lines[-1] if lines else ""}


def rates(step: dict[str, Any], rows: int) -> dict[str, Any]:
    return {**{k: v for k, v in step.items() if k != "last_line"}, "rows_per_s": round(rows / step["wall_s"], 1),
            "rows_per_cpu_s": round(rows / max(step["cpu_s"], 1e-9), 1)}


def run() -> dict[str, Any]:
    if not Path(GNU_TIME).exists():
        return {"metrics": {"skipped": f"{GNU_TIME} not found (peak memory of each step)"}, "baseline": {},
                "ratio": None}
    from massline.db.session import upgrade

    keep = os.environ.get("MASSLINE_BENCH_BULK_DIR")
    with tempfile.TemporaryDirectory(dir=keep) as tmp:
        work = Path(tmp)
        url = os.environ.get("MASSLINE_BENCH_DATABASE_URL") or f"sqlite:///{work}/bulk.db"
        upgrade(url)
        data = work / f"bulk_{ROWS}.csv"
        size = make_csv(data, ROWS)
        env = {**os.environ, "PYTHONPATH": f"{HERE / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
               "MASSLINE_SECRET_KEY": "bench", "OMP_NUM_THREADS": "1"}
        massline = [sys.executable, "-c", "from massline.cli.app import main; main()", "--database-url", url,
                    "--data-dir", str(work / "data")]
        read = timed([sys.executable, "-c", READ, str(data)], env, work)
        assert int(read["last_line"]) == ROWS, read
        ingest = timed([*massline, "ingest", str(data)], env, work)
        export = timed([*massline, "export", "messages", "--format", "csv", "--output", str(work / "out.csv")],
                       env, work)
        write = timed([sys.executable, "-c", WRITE, str(data), str(work / "copy.csv")], env, work)
        with (work / "out.csv").open(encoding="utf-8", newline="") as f:
            exported = sum(1 for _ in csv.reader(f)) - 1
    steps = {"ingest": rates(ingest, ROWS), "csv_reader": rates(read, ROWS), "export_csv": rates(export, exported),
             "csv_writer": rates(write, ROWS)}
    return {
        "metrics": {
            "rows": ROWS, "file_mb": round(size / 2**20, 1), "exported": exported,
            "ingest_rows_per_s": steps["ingest"]["rows_per_s"], "ingest_peak_rss_mb": ingest["peak_rss_mb"],
            "export_rows_per_s": steps["export_csv"]["rows_per_s"], "export_peak_rss_mb": export["peak_rss_mb"],
            "csv_reader_rows_per_s": steps["csv_reader"]["rows_per_s"], "csv_reader_peak_rss_mb": read["peak_rss_mb"],
            "csv_writer_rows_per_s": steps["csv_writer"]["rows_per_s"], "csv_writer_peak_rss_mb": write["peak_rss_mb"],
            "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        },
        "steps": steps,
        "baseline": {"csv.reader rows/s": steps["csv_reader"]["rows_per_s"],
                     "csv.writer rows/s": steps["csv_writer"]["rows_per_s"]},
        "ratio": round(steps["ingest"]["rows_per_s"] / steps["csv_reader"]["rows_per_s"], 5),
        "export_ratio": round(steps["export_csv"]["rows_per_s"] / steps["csv_writer"]["rows_per_s"], 5),
        "covers": "ingest = store raw (file in parts + one raw item per row), map, clean, store message, link "
                  "duplicates (shared LSH index); no analysis. export = masked CSV of every message.",
        "data": f"{ROWS} rows resampled from ../shared/data/taidi2020/fj2_train.csv (massline.guide.stream.resample)",
    }
