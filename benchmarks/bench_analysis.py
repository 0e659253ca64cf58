"""Analysis throughput beside jieba alone: the rule components, the whole pipeline, and ``massline analyze``.

Why jieba as the baseline: segmentation is the floor cost of any Chinese analysis; "the rule
components cost X times a jieba pass" says whether they can be the bottleneck next to the
classifier, measured in the same run on the same texts (fj2_dev.csv, 851 messages, title +
body). Then the whole ``ANALYZE_PIPELINE`` (with the classifier, personal-data scan and
routing) on the same texts, and ``massline analyze`` end to end — the same messages ingested into a
fresh SQLite database, analysed, saved and routed (cases opened), as a new process and in a running
one (first and warmed second run), and as a new process on fj2_train.csv's 4,827 messages (see
:func:`whole_pipeline`) — each against jieba alone on the same texts in the same run, per
wall second and per CPU second (the machine is shared). The
classifier is trained on fj2_train.csv once and kept in ``var/bench/models``. The request-type
figures on the hand-checked sample are included.

Run: ``.venv/bin/python benchmarks/run.py analysis`` (a few minutes the first time: training).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import jieba

from massline.analyze.evaluate import evaluate_request_type
from massline.core.types import Doc
from massline.pipeline import build_pipeline

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "taidi2020" / "fj2_dev.csv"
RULES = ("analyze.segment", "analyze.request_type", "analyze.urgency", "analyze.sentiment", "analyze.places")


def run() -> dict[str, Any]:
    with DEV.open(encoding="utf-8", newline="") as f:
        rows = [(r.get("留言主题") or "", r.get("留言详情") or "") for r in csv.DictReader(f)]
    pipeline = build_pipeline(RULES)
    pipeline.pipe([Doc(text="预热：A2区泉塘街道，住在先锋街道", title="预热")])  # load dictionaries once
    jieba.initialize()

    docs = [Doc(text=body, title=title) for title, body in rows]
    pipeline.timings.clear()
    started = time.perf_counter()
    docs = pipeline.pipe(docs)
    rules_s = time.perf_counter() - started

    started = time.perf_counter()
    for title, body in rows:
        jieba.lcut(f"{title}\n{body}")
    jieba_s = time.perf_counter() - started

    def share(key: str) -> dict[str, float]:
        counts = Counter(str(d.result(key).value) for d in docs if d.result(key) is not None)  # type: ignore[union-attr]
        return {k: round(v / len(docs), 3) for k, v in counts.most_common()}

    whole = whole_pipeline(rows)
    with_district = sum(1 for d in docs if d.meta.get("district")) / len(docs)
    rt = evaluate_request_type()
    rate, base = len(rows) / rules_s, len(rows) / jieba_s
    return {
        "name": "analysis",
        "metrics": {
            "messages": len(rows),
            "rules_messages_per_s": round(rate, 1),
            "jieba_messages_per_s": round(base, 1),
            "rules_vs_jieba_speed_ratio": round(rate / base, 2),
            "share_with_district": round(with_district, 3),
            "request_type_accuracy": round(rt["accuracy"], 4),
            "request_type_macro_f1": round(rt["macro_f1"], 4),
            "request_type_holdout_accuracy": round(rt["holdout"]["accuracy"], 4),
            "pipeline_vs_jieba_wall": whole["pipeline"]["ratio_wall"],
            "pipeline_vs_jieba_cpu": whole["pipeline"]["ratio_cpu"],
            "massline_analyze_vs_jieba_wall": whole["massline_analyze"]["ratio_wall"],
            "massline_analyze_vs_jieba_cpu": whole["massline_analyze"]["ratio_cpu"],
            "massline_analyze_steady_vs_jieba_wall": whole["massline_analyze_steady"]["ratio_wall"],
            "massline_analyze_steady_vs_jieba_cpu": whole["massline_analyze_steady"]["ratio_cpu"],
            "massline_analyze_steady_warm_vs_jieba_wall": whole["massline_analyze_steady_warm"]["ratio_wall"],
            "massline_analyze_steady_warm_vs_jieba_cpu": whole["massline_analyze_steady_warm"]["ratio_cpu"],
            "massline_analyze_train_vs_jieba_wall": whole["massline_analyze_train"]["ratio_wall"],
            "massline_analyze_train_vs_jieba_cpu": whole["massline_analyze_train"]["ratio_cpu"],
        },
        "whole_pipeline": whole,
        "baseline": {"jieba.lcut messages/s": round(base, 1)},
        "ratio": round(rate / base, 2),
        "component_seconds": {name: round(s, 3) for name, s in pipeline.timings.items()},
        "distribution": {key: share(key) for key in ("request_type", "urgency", "sentiment")},
        "data": ["../shared/data/taidi2020/fj2_dev.csv (留言主题 + 留言详情)",
                 "tests/analyze/data/request_type_sample.jsonl (120 hand-checked)"],
    }


HERE = Path(__file__).resolve().parents[1]
MODELS = HERE / "var" / "bench" / "models"
TRAIN = DEV.with_name("fj2_train.csv")


def _timed(fn: Any) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


JIEBA_ALONE = """
import sys, time, jieba
jieba.setLogLevel(60)
texts = open(sys.argv[1], encoding="utf-8").read().split("\\x1e")
jieba.initialize()
started, cpu = time.perf_counter(), time.process_time()
for t in texts:
    jieba.lcut(t)
print(time.perf_counter() - started, time.process_time() - cpu)
"""


def _child(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of a child process (its own, from ``wait4``) and its last output line."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd[:6]} failed: {out[-500:]}")
    lines = out.strip().splitlines()
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, lines[-1] if lines else ""


def _fresh_database(folder: Path, name: str, csv_path: Path, model: Any) -> list[str]:
    """``folder/name.db`` with ``csv_path`` ingested, the model saved and the routing rules in place,
    as ``massline analyze`` finds an installation; the stored texts (title + body) in id order."""
    from massline.analyze.classify.model import save_model
    from massline.analyze.routing.table import ensure_rules
    from massline.core.config import Settings
    from massline.db.models.message import Message
    from massline.db.session import session_scope, upgrade
    from massline.ingest.service import ingest_paths

    settings = Settings(database_url=f"sqlite:///{folder}/{name}.db", data_dir=folder, secret_key="bench")
    upgrade(settings.resolved_database_url())
    ingest_paths(settings, [csv_path])
    save_model(model, settings.models_dir())
    with session_scope(settings.resolved_database_url()) as session:
        ensure_rules(session)
        return [f"{m.title or ''}\n{m.body}" for m in session.query(Message).order_by(Message.id)]


def _ratios(n: int, wall: float, cpu: float, jieba_wall: float, jieba_cpu: float) -> dict[str, float]:
    return {"messages": n, "messages_per_s": round(n / wall, 1), "messages_per_cpu_s": round(n / cpu, 1),
            "jieba_messages_per_s": round(n / jieba_wall, 1), "jieba_messages_per_cpu_s": round(n / jieba_cpu, 1),
            "ratio_wall": round(jieba_wall / wall, 3), "ratio_cpu": round(jieba_cpu / cpu, 3)}


def whole_pipeline(rows: list[tuple[str, str]]) -> dict[str, Any]:
    """The full ANALYZE_PIPELINE in memory; then what ``massline analyze`` runs, on the same messages
    stored in a fresh SQLite database, two ways, each against jieba alone in the same run:

    * ``massline_analyze`` — the command itself as a new process (interpreter start-up, imports,
      dictionary and model load, loading the messages, analysis, saving results, opening the
      routed cases), against a new process that imports jieba, loads its dictionary and segments
      the same texts; CPU seconds are each process's own;
    * ``massline_analyze_steady`` — the same work (``process_messages``, what the command calls)
      in this already-started process, against ``jieba.lcut`` over the same texts: what a worker
      or a long-running service pays per message once it is running (its first run here, which
      still loads the classifier from disk);
    * ``massline_analyze_steady_warm`` — the same once more on another copy of the database: the
      process already warmed (model and tables loaded, caches filled), as a worker's later runs;
    * ``massline_analyze_train`` — the command as a new process on fj2_train.csv (4,827 messages)
      in its own fresh database, against a new jieba process on the same texts: start-up spread
      over more messages.

    The children get byte-compiled modules (a ``PYTHONPYCACHEPREFIX`` under ``var/bench``, filled
    by a first run), as an installed package has: with ``PYTHONDONTWRITEBYTECODE`` set and no
    cache, every start would compile all of massline and its libraries first.
    """
    import shutil
    import tempfile

    from massline.analyze.classify.model import load_model, save_model, train_model
    from massline.analyze.components import ANALYZE_PIPELINE
    from massline.analyze.routing.table import load_config
    from massline.core.config import Settings
    from massline.core.errors import ModelNotTrainedError
    from massline.serve.process import process_messages

    try:
        model = load_model(MODELS)
    except ModelNotTrainedError:
        model = train_model([TRAIN])
        save_model(model, MODELS)
    rules = load_config().rules
    pipeline = build_pipeline(ANALYZE_PIPELINE, {"analyze.category": {"model": model},
                                                 "analyze.route": {"rules": rules, "threshold": 0.85}})
    pipeline.pipe([Doc(text="预热：A2区泉塘街道", title="预热")])
    docs = [Doc(text=body, title=title) for title, body in rows]
    texts = [f"{t}\n{b}" for t, b in rows]
    wall, cpu = _timed(lambda: [pipeline.pipe(docs[i : i + 256]) for i in range(0, len(docs), 256)])
    in_memory = _ratios(len(docs), wall, cpu, *_timed(lambda: [jieba.lcut(t) for t in texts]))

    env = {**os.environ, "PYTHONPATH": f"{HERE / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "MASSLINE_SECRET_KEY": "bench", "PYTHONPYCACHEPREFIX": str(HERE / "var" / "bench" / "pycache"),
           "OMP_NUM_THREADS": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as tmp:
        stored = _fresh_database(Path(tmp), "bench", DEV, model)
        for name in ("warm", "steady", "steady_warm", "command"):
            shutil.copy(f"{tmp}/bench.db", f"{tmp}/{name}.db")
        (Path(tmp) / "texts.txt").write_text("\x1e".join(stored), encoding="utf-8")

        def command(db: str) -> list[str]:
            return [sys.executable, "-c", "from massline.cli.app import main; main()", "--database-url",
                    f"sqlite:///{tmp}/{db}.db", "--data-dir", tmp, "analyze", "--inline"]

        _child(command("warm"), env)  # fills the bytecode cache
        jieba_child = _child([sys.executable, "-c", JIEBA_ALONE, f"{tmp}/texts.txt"], env)
        command_wall, command_cpu, _ = _child(command("command"), env)
        end_to_end = _ratios(len(stored), command_wall, command_cpu, jieba_child[0], jieba_child[1])
        end_to_end["jieba_segmenting_only_s"] = [round(float(x), 3) for x in jieba_child[2].split()]

        def in_process(db: str) -> dict[str, float]:
            at = Settings(database_url=f"sqlite:///{tmp}/{db}.db", data_dir=Path(tmp), secret_key="bench")
            wall, cpu = _timed(lambda: process_messages(at))
            return _ratios(len(stored), wall, cpu, *_timed(lambda: [jieba.lcut(t) for t in stored]))

        steady = in_process("steady")
        steady_warm = in_process("steady_warm")

        # fj2_train as a new process: its own fresh database, the same model and routing rules
        train_dir = Path(tmp) / "train"
        train_dir.mkdir()
        train_texts = _fresh_database(train_dir, "train", TRAIN, model)
        (train_dir / "texts.txt").write_text("\x1e".join(train_texts), encoding="utf-8")
        train_jieba = _child([sys.executable, "-c", JIEBA_ALONE, f"{train_dir}/texts.txt"], env)
        train_wall, train_cpu, _ = _child([sys.executable, "-c", "from massline.cli.app import main; main()",
                                           "--database-url", f"sqlite:///{train_dir}/train.db", "--data-dir",
                                           str(train_dir), "analyze", "--inline"], env)
        train_row = _ratios(len(train_texts), train_wall, train_cpu, train_jieba[0], train_jieba[1])
        train_row["jieba_segmenting_only_s"] = [round(float(x), 3) for x in train_jieba[2].split()]
    return {"pipeline": in_memory, "massline_analyze": end_to_end, "massline_analyze_steady": steady,
            "massline_analyze_steady_warm": steady_warm, "massline_analyze_train": train_row,
            "model_version": model.version, "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()]}
