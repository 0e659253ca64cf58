"""The evidence base: import contract (JSONL/CSV), re-import updates, revisions and audit, bad rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.claims.evidence import import_claims, read_claim_file, revise_claim, revisions, set_status
from massline.core.errors import InputError
from massline.db.models import AuditEvent
from massline.db.models.claims import Claim


def test_when_jsonl_imported_then_claims_variants_and_sources_stored(session: Session, claims_file: Path) -> None:
    records, errors = read_claim_file(claims_file)
    assert errors == []
    summary = import_claims(session, records, actor="editor1")
    session.commit()
    assert (summary.new, summary.updated, summary.unchanged) == (3, 0, 0)
    oil = session.scalars(select(Claim).where(Claim.claim_id == "c-oil")).one()
    assert oil.variants == ["蒜头变红说明是地沟油"]
    assert oil.sources == [{"url": "https://example.org/oil", "title": "专家解读", "date": "2012-08-01"}]
    kid = session.scalars(select(Claim).where(Claim.claim_id == "c-kid")).one()
    assert kid.variants == ["泉州获救5岁男孩寻亲", "昭通男孩寻亲"]  # |-separated
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "claim.create")).all()


def test_when_reimported_with_change_then_updated_as_new_revision(session: Session, claims_file: Path,
                                                                  tmp_path: Path) -> None:
    records, _ = read_claim_file(claims_file)
    import_claims(session, records, actor="editor1")
    again = import_claims(session, records, actor="editor1")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    changed = tmp_path / "changed.csv"
    changed.write_text("claim_id,claim,verdict,variants\nc-water,A市自来水不能喝,unproven,\"[\"\"水不能喝\"\"]\"\n",
                       encoding="utf-8")
    records2, errors = read_claim_file(changed)
    assert errors == []
    summary = import_claims(session, records2, actor="editor2", reason="新的检测结果")
    session.commit()
    assert summary.updated == 1
    water = session.scalars(select(Claim).where(Claim.claim_id == "c-water")).one()
    assert (water.verdict, water.revision, water.variants) == ("unproven", 2, ["水不能喝"])
    history = revisions(session, water)
    assert [r.revision for r in history] == [2, 1]
    assert history[1].snapshot["verdict"] == "misleading"  # the old revision is kept as it was


def test_when_rows_are_bad_then_named_and_good_rows_kept(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"claim_id": "a", "claim": "x", "verdict": "maybe"}\n{"claim": "no id", "verdict": "false"}\n'
                    'not json\n{"claim_id": "b", "claim": "ok", "verdict": "FALSE", "source_url": "ftp://x"}\n'
                    '{"claim_id": "c", "claim": "fine", "verdict": "true"}\n', encoding="utf-8")
    records, errors = read_claim_file(path)
    assert [r.claim_id for r in records] == ["c"]
    assert len(errors) == 4
    assert "line 1" in errors[0] and "verdict" in errors[0]
    assert "field 'claim_id'" in errors[1]
    assert "invalid JSON" in errors[2]
    assert "source_url" in errors[3]


def test_when_claim_revised_and_retired_then_audited_and_kept(session: Session, claims_file: Path) -> None:
    records, _ = read_claim_file(claims_file)
    import_claims(session, records, actor="editor1")
    revise_claim(session, "c-oil", {"evidence": "新证据"}, actor="editor2", reason="补充")
    set_status(session, "c-oil", "retired", actor="editor2", reason="过时")
    session.commit()
    oil = session.scalars(select(Claim).where(Claim.claim_id == "c-oil")).one()
    assert (oil.status, oil.revision, oil.evidence) == ("retired", 3, "新证据")
    actions = [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.object_id == "c-oil"))]
    assert actions == ["claim.create", "claim.update", "claim.retire"]
    with pytest.raises(InputError, match="verdict"):
        revise_claim(session, "c-oil", {"verdict": "nonsense"}, actor="e", reason="r")
