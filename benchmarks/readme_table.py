"""Rewrite the README's benchmark summary from ``benchmarks/results/*.json``.

``make bench`` runs this after the benchmarks, so the figures in the README are always the
latest measured ones (each feature's own README section explains its numbers in detail).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
START, END = "<!-- section:bench -->", "<!-- /section:bench -->"


def _load(name: str) -> dict[str, Any]:
    path = HERE / "results" / f"bench_{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def rows() -> list[tuple[str, str, str, str]]:
    """(what, ours, baseline in the same run, ratio) per benchmark that has results."""
    out: list[tuple[str, str, str, str]] = []
    if m := _load("cleaning").get("metrics"):
        out.append(("cleaning pipeline, 附件2/3/4 messages", f"{m['cleaning_messages_per_s']:,.0f} msg/s",
                    f"jieba.lcut alone {m['jieba_messages_per_s']:,.0f} msg/s",
                    f"{m['cleaning_vs_jieba_speed_ratio']}×"))
    if d := _load("classify"):
        m, b = d["metrics"], d.get("baseline", {})
        out.append(("category classifier, dev macro-F1", f"{m['macro_f1']:.3f}",
                    f"TF-IDF + LinearSVC {b.get('macro_f1', float('nan')):.3f}",
                    f"+{d['ratio']['macro_f1_gain_points']} points"))
        out.append(("category classifier, throughput (1 process)", f"{m['messages_per_s']:,.0f} msg/s",
                    f"{b.get('messages_per_s', float('nan')):,.0f} msg/s",
                    f"{d['ratio']['throughput_ours_over_baseline']}×"))
        if "messages_per_cpu_s" in m:
            out.append(("category classifier, per CPU second (1 core)", f"{m['messages_per_cpu_s']:,.0f} msg/s",
                        f"{b.get('messages_per_cpu_s', float('nan')):,.0f} msg/s",
                        f"{d['ratio']['cpu_throughput_ours_over_baseline']}×"))
    if d := _load("analysis"):
        m = d["metrics"]
        out.append(("rule analysis (segment, type, urgency, sentiment, places)",
                    f"{m['rules_messages_per_s']:,.0f} msg/s",
                    f"jieba alone {m['jieba_messages_per_s']:,.0f} msg/s", f"{m['rules_vs_jieba_speed_ratio']}×"))
        for key, label in (("pipeline", "whole analysis pipeline (incl. classifier, PII, routing)"),
                           ("massline_analyze_steady", "`massline analyze` steady state (load, analyse, save, "
                                                       "open cases), SQLite"),
                           ("massline_analyze_steady_warm", "`massline analyze` steady state, process already "
                                                            "warmed (a second run), SQLite"),
                           ("massline_analyze", "`massline analyze` as a new process (start-up included), fj2_dev "
                                                "851, SQLite"),
                           ("massline_analyze_train", "`massline analyze` as a new process, fj2_train 4,827, "
                                                      "SQLite")):
            if w := d.get("whole_pipeline", {}).get(key):
                out.append((label, f"{w['messages_per_s']:,.0f} msg/s ({w['messages_per_cpu_s']:,.0f}/CPU s)",
                            f"jieba alone {w['jieba_messages_per_s']:,.0f} msg/s "
                            f"({w['jieba_messages_per_cpu_s']:,.0f}/CPU s)",
                            f"{w['ratio_wall']}× ({w['ratio_cpu']}× CPU)"))
    if (m := _load("engine").get("metrics")) and "two_vs_one_worker_ratio" in m:
        out.append((f"engine: analysis of {m['messages']:,} messages, 2 Celery workers ({m['database']})",
                    f"{m['2_workers_messages_per_s']:,.0f} msg/s",
                    f"1 worker {m['1_workers_messages_per_s']:,.0f} msg/s", f"{m['two_vs_one_worker_ratio']}×"))
    bulk = _load("bulk")
    if (m := bulk.get("metrics")) and "ingest_rows_per_s" in m:
        out.append((f"`massline ingest` of a {m['rows']:,}-row CSV (raw, clean, store, dedup; no analysis)",
                    f"{m['ingest_rows_per_s']:,.0f} rows/s, peak RSS {m['ingest_peak_rss_mb']:,.0f} MB",
                    f"csv.reader {m['csv_reader_rows_per_s']:,.0f} rows/s", f"{bulk['ratio']}×"))
        out.append((f"`massline export messages --format csv`, {m['exported']:,} rows (masked)",
                    f"{m['export_rows_per_s']:,.0f} rows/s, peak RSS {m['export_peak_rss_mb']:,.0f} MB",
                    f"csv.writer {m['csv_writer_rows_per_s']:,.0f} rows/s", f"{bulk['export_ratio']}×"))
    if m := _load("pii").get("metrics"):
        out.append(("PII detection, 附件2 texts", f"{m['massline_msgs_per_s']:,.0f} msg/s",
                    f"Presidio default recognizers {m['presidio_default_msgs_per_s']:,.0f} msg/s",
                    f"{m['massline_msgs_per_s'] / m['presidio_default_msgs_per_s']:.1f}×"))
    if m := _load("open311").get("metrics"):
        base = m["baseline_healthz"]
        for key, label in (("post_requests", "Open311 POST requests"), ("get_request", "Open311 GET requests/{id}"),
                           ("get_requests_list", "Open311 GET requests (list)")):
            p = m[key]
            out.append((f"{label}, uvicorn + PostgreSQL", f"{p['rate_per_s']:,.1f} req/s, p50 {p['p50_ms']} ms, "
                        f"p99 {p['p99_ms']} ms", f"/healthz {base['rate_per_s']:,.0f} req/s",
                        f"{p['rate_per_s'] / base['rate_per_s']:.3f}×"))
    if d := _load("open311_list"):
        m, base = d["metrics"], d["baseline"]["healthz"]
        alone = d["baseline"].get("healthz_one_client", base)
        for key, label in (("list_default_one_client", "first page, 1 client"),
                           ("list_after_20000_deep_one_client", "20,000 rows deep by key, 1 client"),
                           ("list_default", "first page, 4 clients")):
            if key in m:
                ref = alone if key.endswith("_one_client") else base
                out.append((f"Open311 GET requests (list, {label}), {m['requests_in_database']:,} requests in "
                            "PostgreSQL", f"p50 {m[key]['p50_ms']} ms, p99 {m[key]['p99_ms']} ms",
                            f"/healthz p50 {ref['p50_ms']} ms", f"{d['ratio'][key]}×"))
    if m := _load("pages").get("metrics"):
        base = m["healthz (baseline)"]["p95_ms"]
        for key in ("inbox", "inbox search", "message", "dashboard", "public request"):
            if key in m:
                out.append((f"page `{key}` p95, whole 附件2 on SQLite", f"{m[key]['p95_ms']} ms",
                            f"/healthz p95 {base} ms", f"{m[key]['p95_ms'] / base:.1f}×"))
    if d := _load("guide"):
        st = d["stream"]
        out.append((f"guide stream (issues + bursts + topics), {st['processed']:,} resampled 附件3 messages",
                    f"{st['guide_messages_per_s']:,.0f} msg per CPU s, peak RSS {st['peak_rss_mb']:,.0f} MB",
                    f"jieba.lcut alone {st['jieba_messages_per_s']:,.0f} msg per CPU s", f"{st['ratio_to_jieba']}×"))
    if m := _load("claims").get("metrics"):
        out.append((f"claim matching against the CED evidence base, {m['texts']} texts",
                    f"{m['massline_texts_per_s']:,.0f} texts/s",
                    f"character TF-IDF {m['tfidf_texts_per_s']:,.0f} texts/s",
                    f"{m['massline_texts_per_s'] / m['tfidf_texts_per_s']:.1f}×"))
    if d := _load("consult"):
        m, b = d["metrics"], d["baseline"]
        out.append((f"consultation results after one vote, {m['participants']:,} × {m['statements']} statements",
                    f"{m['update_median_s']} s (worst {m['update_max_s']} s)",
                    f"full recompute {b['full_recompute_s']} s",
                    f"{d['ratio']}×"))
    if m := _load("publish").get("metrics"):
        out.append(("post recommendation, hit rate@5 (time split of 附件2/3)", f"{m['recommend_hit_rate@5']:.3f}",
                    f"popularity {m['baseline_hit_rate@5']:.3f}",
                    f"{m['recommend_hit_rate@5'] / m['baseline_hit_rate@5']:.2f}×"))
    return out


def render() -> str:
    lines = ["## Benchmarks", "",
             "`make bench` runs `benchmarks/bench_*.py` (each bounded in time), writes `benchmarks/results/*.json` and "
             "rewrites this table. Every figure has a baseline measured in the same run, because a shared 2-core "
             "machine is too noisy for absolute numbers. This table is the latest run; the sections above explain "
             "each benchmark and quote the run they were written with (absolute figures there vary 2–3× with "
             "machine load, the ratios much less). Ratio = ours ÷ baseline "
             "(for throughput higher is better, for latency lower is better).", "",
             "| what | ours | baseline (same run) | ratio |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows()]
    return "\n".join(lines) + "\n"


def main() -> int:
    text = README.read_text()
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        sys.stderr.write("README has no bench section markers\n")
        return 1
    README.write_text(pattern.sub(lambda _: f"{START}\n{render()}{END}", text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
