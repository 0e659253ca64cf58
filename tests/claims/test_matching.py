"""Matching contract: `massline claims match` output, script/width unification, unrelated → null,
and the analysis component feeding the review queue and the clusters."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import massline.cli.claims  # noqa: F401  (registers the commands)
from massline.claims.evidence import read_claim_file
from massline.claims.matcher import IndexedClaim, Matcher
from massline.cli._apps import app

runner = CliRunner()




def test_when_text_is_traditional_fullwidth_question_then_right_claim_matched(claims_file: Path) -> None:
    records, _ = read_claim_file(claims_file)
    matcher = Matcher.build([IndexedClaim(r.claim_id, r.text, r.verdict, tuple(r.variants)) for r in records])
    kid = matcher.match("聽說泉州市警察局抓到拐賣小孩團夥，救了一個５歲的昭通小孩？")
    assert kid.matched is not None and kid.matched.claim.claim_id == "c-kid"
    assert {"泉州市", "拐卖", "昭通"} <= set(kid.matched.words)  # the reason, in simplified script
    assert matcher.match("A2区某小区物业乱收停车费，请相关部门处理").matched is None


def test_when_match_data_given_then_last_line_is_array_in_input_order(tmp_path: Path, claims_file: Path) -> None:
    db = tmp_path / "m.db"
    env = {"MASSLINE_DATABASE_URL": f"sqlite:///{db}", "MASSLINE_DATA_DIR": str(tmp_path)}
    imported = runner.invoke(app, ["claims", "import", str(claims_file)], env=env)
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.output.strip().splitlines()[-1])["new"] == 3
    inputs = tmp_path / "in.csv"
    inputs.write_text("id,text\nx9,A2区某小区物业乱收停车费\nx1,听说炒菜放蒜头变红就是地沟油，是真的吗？\n",
                      encoding="utf-8")
    result = runner.invoke(app, ["claims", "match", "--data", str(inputs), "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output.strip().splitlines()[-1])
    assert [o["id"] for o in out] == ["x9", "x1"]
    assert out[0]["matched"] is None
    assert out[1]["matched"] == "c-oil"
    best = out[1]["matches"][0]
    assert set(best) == {"claim_id", "score", "verdict"} and best["verdict"] == "false" and len(out[1]["matches"]) <= 5
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    failed = runner.invoke(app, ["claims", "match", "--data", str(bad)], env=env)
    assert failed.exit_code == 2 and "field 'text'" in failed.output
