"""``massline replies check`` and ``massline eval replies|similar``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from massline.cli._apps import app, console, database_url, err_console, eval_app, print_table
from massline.cli.forecast import shipped_dir

replies_app = typer.Typer(help="Reply quality checks.", no_args_is_help=True)
app.add_typer(replies_app, name="replies")

LABELLED = "fj4_with_manual_quality_labels_rollbear.csv"
#: Our rubric labels live in the source checkout (``evaluation/`` is not part of the installed package).
OWN_LABELS = Path(__file__).resolve().parents[3] / "evaluation" / "replies" / "labels_massline.csv"


@replies_app.command("check")
def check_cmd(
    text: Annotated[str, typer.Argument(help="The draft reply.")],
    message: Annotated[int | None, typer.Option("--message", help="Id of the stored message it answers.")] = None,
) -> None:
    """Score a draft reply (relevance, completeness, interpretability, timeliness, politeness, personal data);
    the LAST line printed is a JSON array of the checks."""
    from massline.serve.replies.quality import as_dicts, check_reply
    from massline.serve.sla import load_sla_rules

    asked, body, is_workday = None, None, None
    if message is not None:
        from massline.db.models.message import Message
        from massline.db.session import session_scope

        with session_scope(database_url()) as session:
            msg = session.get(Message, message)
            if msg is None:
                err_console.print(f"[red]no message {message}[/]")
                raise typer.Exit(2)
            asked, body = msg.created_at or msg.received_at, f"{msg.title or ''} {msg.body or ''}"
            is_workday = load_sla_rules(session=session).calendar.is_working_day
    checks = check_reply(text, message=body, asked=asked, is_workday=is_workday)
    print_table("reply checks", ("check", "score", "ok", "reason"),
                ((c.label, "—" if c.score is None else f"{c.score:.2f}", "✓" if c.ok else ("✗ 阻止发送" if c.blocking
                                                                                         else "✗"), c.reason)
                 for c in checks))
    typer.echo(json.dumps(as_dicts(checks), ensure_ascii=False))
    if any(c.blocking for c in checks):
        raise typer.Exit(1)


@eval_app.command("replies")
def eval_replies_cmd(
    data: Annotated[Path | None, typer.Option("--data", help="附件4 with Rollbear's labels (default: shipped).")]
        = None,
    own: Annotated[Path, typer.Option("--own", help="Our labels (留言编号, 完整性指标, 可解释性指标).")] = OWN_LABELS,
) -> None:
    """Reply checks vs people's labels (AUC, cross-validated accuracy) beside a length-only baseline, and the
    agreement of the two labellings. The LAST line printed is one JSON object."""
    import csv

    from massline.serve.replies.evaluate import Row, agreement, evaluate_rows, read_labelled

    data = data or shipped_dir() / LABELLED
    theirs = read_labelled(data)
    out: dict[str, object] = {"rollbear": evaluate_rows(theirs)}
    if own.is_file():
        texts = {}
        with open(data, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                texts[row["留言编号"].strip()] = row
        mine = [Row(r.external_id, texts[r.external_id].get("留言详情", ""), texts[r.external_id].get("答复意见", ""),
                    r.labels) for r in read_labelled(own) if r.external_id in texts]
        out["massline"] = evaluate_rows(mine)
        out["agreement"] = agreement(mine, theirs)
    rows = []
    for name, res in out.items():
        if name == "agreement":
            continue
        for label in ("completeness", "interpretability"):
            r = res[label]  # type: ignore[index]
            rows.append((name, label, str(res["n"]), f"{r['auc']}", f"{r['cv_accuracy']}",  # type: ignore[index]
                         f"{r['baseline_length_auc']}", f"{r['baseline_length_cv_accuracy']}",
                         f"{r['majority_accuracy']}"))
    print_table("reply checks vs labels", ("labels", "check", "n", "AUC", "CV acc", "length AUC", "length CV acc",
                                           "majority"), rows)
    if "agreement" in out:
        console.print(f"agreement of the two labellings: {json.dumps(out['agreement'], ensure_ascii=False)}")
    typer.echo(json.dumps(out, ensure_ascii=False))


@eval_app.command("similar")
def eval_similar_cmd(
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Folder with the 泰迪杯 CSVs.")] = None,
    queries: Annotated[int, typer.Option("--queries", min=10)] = 300,
) -> None:
    """Recall@5 of same-issue and near-duplicate messages and query latency over all shipped messages, beside
    the character-bigram baseline. The LAST line printed is one JSON object."""
    from massline.serve.similar_eval import evaluate

    data_dir = data_dir or shipped_dir()
    files = ["fj2_train.csv", "fj2_dev.csv", "fj3_hot_messages_full.csv", "fj4_messages_with_replies_full.csv"]
    missing = [f for f in files if not (data_dir / f).is_file()]
    if missing:
        err_console.print(f"[red]missing in {data_dir}:[/] {', '.join(missing)}")
        raise typer.Exit(2)
    with console.status("indexing the shipped messages…"):
        result = evaluate([data_dir / f for f in files], queries=queries)
    typer.echo(json.dumps(result, ensure_ascii=False))
