"""``massline claims import|match|make-evalset|list|retire``, ``massline eval claims`` and
``massline eval rumor`` (thin wrappers over ``massline.claims``)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

from massline.cli._apps import app, bad_input, console, database_url, err_console, eval_app, print_table, settings
from massline.core.errors import InputError

claims_app = typer.Typer(help="Fact-check desk: the evidence base of checked claims, matching.", no_args_is_help=True)
app.add_typer(claims_app, name="claims")

EVAL_DIR = Path("evaluation") / "claims"


def _fail(what: str, exc: Exception) -> typer.Exit:
    err_console.print(f"[red]{what}:[/] {exc}")
    return typer.Exit(2)


@claims_app.command("import")
def import_cmd(
    path: Annotated[Path, typer.Argument(help="JSONL or CSV: claim_id, claim, verdict [, evidence, source_url, "
                                              "source_title, date, variants].")],
    actor: Annotated[str, typer.Option(help="Who imports (audited).")] = "cli",
    reason: Annotated[str, typer.Option(help="Why (stored with every revision).")] = "import",
) -> None:
    """Create or update claims by claim_id (every change is a new audited revision)."""
    from massline.claims.evidence import import_claims, read_claim_file
    from massline.db.session import session_scope

    with bad_input("cannot import"):
        records, errors = read_claim_file(path)
    for error in errors:
        err_console.print(f"[yellow]skipped[/] {error}")
    url = database_url()
    with session_scope(url) as session:
        summary = import_claims(session, records, actor=actor, reason=reason)
    summary.errors = errors
    console.print(f"read {summary.read + len(errors)}: new {summary.new}, updated {summary.updated}, "
                  f"unchanged {summary.unchanged}, skipped {len(errors)}")
    typer.echo(json.dumps(summary.to_dict()))
    if not records and errors:
        raise typer.Exit(2)


def _read_inputs(path: Path) -> list[tuple[Any, str]]:
    from massline.claims.evidence import iter_rows

    items: list[tuple[Any, str]] = []
    for locator, row in iter_rows(path):
        if isinstance(row, InputError):
            raise row
        text = row.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InputError("required field is missing or empty", origin=str(path), locator=locator, field="text")
        if row.get("id") in (None, ""):
            raise InputError("required field is missing or empty", origin=str(path), locator=locator, field="id")
        items.append((row["id"], text))
    return items


@claims_app.command("match")
def match_cmd(
    text: Annotated[str | None, typer.Argument(help="One text to match.")] = None,
    data: Annotated[Path | None, typer.Option("--data", help="JSONL or CSV with id, text.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json (only the array) or table (a table, then the "
                                                      "array).")] = "table",
) -> None:
    """Match texts against the evidence base; the LAST line is one JSON array, in input order."""
    from massline.claims.service import matcher_for
    from massline.db.session import session_scope

    if (text is None) == (data is None):
        raise _fail("cannot match", InputError("give either TEXT or --data PATH", field="text"))
    if fmt not in {"json", "table"}:
        raise _fail("cannot match", InputError("expected json or table", field="format"))
    with bad_input("cannot match"):
        items = [(1, text)] if text is not None else _read_inputs(data)  # type: ignore[arg-type]
    cfg = settings()
    url = database_url()
    with session_scope(url) as session:
        matcher = matcher_for(session, settings=cfg)
    if not len(matcher.index):
        raise _fail("cannot match", InputError("the evidence base is empty; run `massline claims import PATH`"))
    out, rows = [], []
    for id_, body in items:
        result = matcher.match(body)
        out.append(result.to_dict(id_))
        best = result.candidates[0] if result.candidates else None
        rows.append((str(id_), result.matched.claim.claim_id if result.matched else "—",
                     f"{best.claim.claim_id} {best.score:.2f}" if best else "—",
                     "review" if result.review else "", "、".join(best.words) if best else ""))
    if fmt == "table":
        print_table("claim matches", ("id", "matched", "best candidate", "queue", "matching words"), rows)
    typer.echo(json.dumps(out, ensure_ascii=False))


@claims_app.command("make-evalset")
def make_evalset(
    out: Annotated[Path, typer.Option(help="Output folder.")] = EVAL_DIR,
    positives: Annotated[int, typer.Option(help="Paraphrase pairs.")] = 300,
    unrelated: Annotated[int, typer.Option(help="Unrelated 附件2 messages.")] = 400,
    weibo: Annotated[int, typer.Option(help="Ordinary (non-rumor) CED Weibo posts as hard negatives.")] = 200,
) -> None:
    """Regenerate evaluation/claims/{ced_claims.jsonl,pairs.jsonl} from the shipped CED and 附件2 data."""
    from massline.claims import evalset
    from massline.claims.ced import ced_claims, read_ced, shared_file
    from massline.claims.evidence import write_jsonl

    posts = read_ced()
    claims = ced_claims(posts)
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(claims, out / "ced_claims.jsonl")
    pairs = (evalset.positives(claims, positives) + evalset.hand_written(out / "handwritten.jsonl")
             + evalset.negatives(shared_file("taidi2020", "fj2_dev.csv"), unrelated)
             + evalset.weibo_negatives(posts, weibo))
    evalset.write_pairs(pairs, out / "pairs.jsonl")
    console.print(f"{len(claims)} claims → {out / 'ced_claims.jsonl'}; {len(pairs)} pairs → {out / 'pairs.jsonl'}")


@claims_app.command("list")
def list_cmd(limit: Annotated[int, typer.Option(help="Rows.")] = 20) -> None:
    """The newest claims of the evidence base."""
    from sqlalchemy import select

    from massline.db.models.claims import Claim
    from massline.db.session import session_scope

    with session_scope(settings().resolved_database_url()) as session:
        rows = [(c.claim_id, c.verdict, c.status, str(c.revision), c.text[:40])
                for c in session.scalars(select(Claim).order_by(Claim.id.desc()).limit(limit))]
    print_table("claims", ("claim_id", "verdict", "status", "rev", "claim"), rows)


@claims_app.command("retire")
def retire_cmd(claim_id: str, actor: Annotated[str, typer.Option()] = "cli",
               reason: Annotated[str, typer.Option()] = "retired") -> None:
    """Retire a claim (kept with its history, no longer matched)."""
    from massline.claims.evidence import set_status
    from massline.db.session import session_scope

    with bad_input("cannot retire"):
        with session_scope(settings().resolved_database_url()) as session:
            set_status(session, claim_id, "retired", actor=actor, reason=reason)
    console.print(f"{claim_id} retired")


@eval_app.command("claims")
def eval_claims(
    data: Annotated[Path, typer.Option("--data", help="Pairs JSONL: id, text, claim_id|null, split.")] = (
        EVAL_DIR / "pairs.jsonl"),
    base: Annotated[Path, typer.Option("--base", help="Evidence base file (import format).")] = (
        EVAL_DIR / "ced_claims.jsonl"),
    save: Annotated[bool, typer.Option("--save/--no-save", help="Save the fitted calibration into the data "
                                                                "directory (used by `claims match`).")] = True,
) -> None:
    """Claim matching on the test half (calibrated on the tuning half) beside a character TF-IDF baseline."""
    from massline.claims.evalset import read_pairs
    from massline.claims.evaluate import run_ours, run_tfidf_baseline
    from massline.claims.evidence import read_claim_file
    from massline.claims.matcher import ClaimIndex, IndexedClaim
    from massline.claims.service import calibration_path

    try:
        records, errors = read_claim_file(base)
        pairs = read_pairs(data)
    except (InputError, OSError) as exc:
        raise _fail("cannot evaluate", exc) from exc
    if errors:
        raise _fail("cannot evaluate", InputError(errors[0]))
    claims = [IndexedClaim(r.claim_id, r.text, r.verdict, tuple(r.variants)) for r in records]
    known = {c.claim_id for c in claims}
    missing = [p.id for p in pairs if p.claim_id and p.claim_id not in known]
    if missing:
        raise _fail("cannot evaluate", InputError(f"pair {missing[0]} names a claim not in {base}", field="claim_id"))
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("indexing the evidence base…", total=None)
        started = time.perf_counter()
        index = ClaimIndex(claims)
        indexed_in = time.perf_counter() - started
        progress.update(task, description="matching", total=len(pairs), completed=0)
        started = time.perf_counter()
        ours, calibration = run_ours(index, pairs, progress=lambda n: progress.advance(task, n))
        matched_in = time.perf_counter() - started
    baseline = run_tfidf_baseline(claims, pairs)
    calibration.fitted_on = f"{data.name} (tune half)"
    if save:
        calibration.save(calibration_path(settings()))
    columns = ("system", "recall@1", "recall@5", "MRR", "right claim (paraphrases)", "null (unrelated)")
    print_table(f"{data.name}, test half — {len(claims)} claims", columns, [
        (name, f"{m['recall_at_1']:.3f}", f"{m['recall_at_5']:.3f}", f"{m['mrr']:.3f}",
         f"{m['matched_right_on_paraphrases']:.1%}", f"{m['null_on_unrelated']:.1%}")
        for name, m in (("massline BM25 + calibration", ours["test"]), ("char TF-IDF baseline", baseline["test"]))])
    summary = {"claims": len(claims), "pairs": len(pairs), **{k: v for k, v in ours["test"].items()},
               "threshold": ours["threshold"], "review_floor": ours["review_floor"],
               "baseline_tfidf": baseline["test"], "baseline_threshold": baseline["threshold"],
               "tune": ours["tune"], "index_seconds": round(indexed_in, 2),
               "texts_per_second": round(len(pairs) / max(matched_in, 1e-9), 1)}
    typer.echo(json.dumps(summary, ensure_ascii=False))


@eval_app.command("rumor")
def eval_rumor(
    save: Annotated[bool, typer.Option("--save/--no-save", help="Train on all of CED and save the model into "
                                                                "the data directory (for rumor signals).")] = True,
) -> None:
    """Grouped 5-fold CV on CED: our classifier (text; + author; + final counts) vs TF-IDF + LinearSVC."""
    from massline.claims.ced import read_ced
    from massline.claims.rumor import cross_validate, train

    with bad_input("cannot evaluate"):
        posts = read_ced()
    with console.status("cross-validating…") as status:
        cv = cross_validate(posts, progress=lambda msg: status.update(f"[bold]rumor:[/] {msg}"))
        if save:
            status.update("training on all posts…")
            folder = train(posts, cv).save(settings().models_dir() / "rumor")
            console.print(f"model saved to {folder}")
    rows = [(name, f"{cv[name]['accuracy']:.3f}", f"{cv[name]['f1_rumor']:.3f}", f"{cv[name]['macro_f1']:.3f}")
            for name in ("text", "text_author", "text_author_counts", "baseline_tfidf_linearsvc")]
    print_table(f"CED, {cv['n']} distinct posts, grouped {cv['folds']}-fold CV",
                ("system", "accuracy", "F1 (rumor)", "macro-F1"), rows)
    typer.echo(json.dumps(cv, ensure_ascii=False))
