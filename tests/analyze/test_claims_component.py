"""The ``analyze.claims`` component in the analysis run: matches stored, uncertain ones queued,
an editor's confirmation counted in the claim's cluster."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.analyze.run import analyze_messages
from massline.claims.desk import clusters, decide_review, evidence_for_message, review_queue
from massline.claims.evidence import import_claims, read_claim_file
from massline.claims.matcher import Calibration, Matcher
from massline.claims.service import claims_config
from massline.core.config import Settings
from massline.db.models import AnalysisResult

CLAIMS = [
    {"claim_id": "c-oil", "claim": "炒菜时放一颗剥皮的蒜头，如果蒜头变红色就是地沟油", "verdict": "false",
     "evidence": "食品安全专家：大蒜变色与地沟油无关。"},
    {"claim_id": "c-water", "claim": "A市自来水厂水源被污染，近期自来水不能喝", "verdict": "misleading"},
]


def test_when_messages_analysed_then_matches_stored_uncertain_queued_and_clustered(
        settings: Settings, session: Session, tmp_path: Path, add_messages: Any, fake_model: Any) -> None:
    claims_file = tmp_path / "claims.jsonl"
    claims_file.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CLAIMS), encoding="utf-8")
    records, _ = read_claim_file(claims_file)
    import_claims(session, records, actor="editor1")
    session.commit()
    ids = add_messages(session, [("地沟油？", "听说炒菜放蒜头，蒜头变红色就是地沟油，是真的吗？"),
                                 ("又是地沟油", "朋友圈说蒜头变红的就是地沟油，真的吗"),
                                 ("物业乱收费", "我们小区物业乱收停车费，业主很不满。")])
    strict = Calibration.load()
    strict.threshold = 0.99  # force the second message into the review band
    strict.review_floor = 0.0
    analyze_messages(settings, configs={"analyze.category": {"model": fake_model}})
    rows = session.scalars(select(AnalysisResult).where(AnalysisResult.key == "claim_match",
                                                        AnalysisResult.current.is_(True))).all()
    by_msg = {r.message_id: r for r in rows}
    assert by_msg[ids[0]].value["matched"] == "c-oil" and "地沟油" in by_msg[ids[0]].reason
    evidence = evidence_for_message(session, ids[0])
    assert evidence is not None and evidence.claim.claim_id == "c-oil" and evidence.decided == "matched"
    # a stricter calibration sends the same kind of message to people instead of deciding
    config = claims_config(settings, session)
    config["matcher"] = Matcher(config["matcher"].index, strict)  # type: ignore[union-attr]
    analyze_messages(settings, only_new=False, message_ids=[ids[1]],
                     configs={"analyze.category": {"model": fake_model}, "analyze.claims": config})
    queue = review_queue(session)
    assert [(q.message.id, q.claim.claim_id) for q in queue] == [(ids[1], "c-oil")]
    decide_review(session, queue[0].review.id, True, actor="editor1")
    session.commit()
    found = clusters(session)
    assert [(c.claim.claim_id, c.count) for c in found] == [("c-oil", 2)]
    assert found[0].public_counts()["count"] == 2
    assert ids[2] not in found[0].message_ids
