"""Enforcement: public replies masked, analyst exports pseudonymised, raw view audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from massline.core.errors import InputError, PermissionDenied
from massline.core.types import Doc
from massline.db.models.audit import AuditEvent
from massline.db.models.intake import Source
from massline.db.models.message import Message
from massline.db.session import get_sessionmaker
from massline.pipeline.registry import registry
from massline.privacy import mask_text, reveal, reveal_raw

ID = "11010519491231002X"
PHONE = "13800138000"
REPLY = f"您好，您反映的问题已转交处理。您登记的身份证号{ID}，联系电话{PHONE}，如有疑问请回电。"
REPO = Path(__file__).resolve().parents[2]


def test_when_reply_published_then_id_and_phone_masked() -> None:
    public = mask_text(REPLY, "public")
    assert ID not in public and PHONE not in public
    assert "110***********002X" in public and "138****8000" in public
    assert mask_text(REPLY, "feed") == public


def test_when_exported_for_analyst_then_values_pseudonymised_and_linkable() -> None:
    exported = mask_text(REPLY, "export", "analyst", secret="install-secret")
    assert ID not in exported and PHONE not in exported
    again = mask_text(f"又一条：{PHONE}", "export", "analyst", secret="install-secret")
    token = next(t for t in again.split("：")[1:])
    assert token in exported  # same phone → same pseudonym, so messages can be linked


def test_when_exported_for_handler_then_encrypted_and_only_permitted_roles_reveal() -> None:
    exported = mask_text(REPLY, "export", "handler", secret="k")
    assert ID not in exported and "⟦ID_CARD:" in exported
    assert reveal(exported, "handler", secret="k") == REPLY
    with pytest.raises(PermissionDenied):
        reveal(exported, "analyst", secret="k")


def _message(session: Session) -> int:
    source = Source(name="test", kind="file")
    session.add(source)
    session.flush()
    msg = Message(source_id=source.id, original=REPLY, body=REPLY)
    session.add(msg)
    session.commit()
    return msg.id


def test_when_administrator_views_raw_then_audited_and_others_refused(db_url: str) -> None:
    with get_sessionmaker(db_url)() as session:
        message_id = _message(session)
        with pytest.raises(PermissionDenied):
            reveal_raw(session, "ana", "analyst", message_id, "curious")
        with pytest.raises(InputError, match="reason"):
            reveal_raw(session, "root", "administrator", message_id, " ")
        raw = reveal_raw(session, "root", "administrator", message_id, "court order 2026-17")
        session.commit()
        assert raw == REPLY
    with get_sessionmaker(db_url)() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "pii.raw_view")).all()
        assert len(events) == 1
        event = events[0]
        assert (event.actor, event.object_id, event.reason) == ("root", str(message_id), "court order 2026-17")
        assert event.detail["pii"] == {"ID_CARD": 1, "PHONE": 1}
        assert ID not in json.dumps(event.detail) and PHONE not in json.dumps(event.detail)


def test_when_pipeline_runs_analyze_pii_then_result_has_counts_not_values() -> None:
    doc = registry.create("analyze.pii")(Doc(text=REPLY))
    result = doc.result("pii")
    assert result is not None and result.value["counts"] == {"ID_CARD": 1, "PHONE": 1}
    assert ID not in json.dumps(result.value)


def test_when_eval_pii_runs_then_last_line_is_json_overall() -> None:
    import massline.cli.app  # noqa: F401  (registers the command modules)
    from massline.cli._apps import app

    out = CliRunner().invoke(app, ["eval", "pii", "--data", str(REPO / "evaluation/pii/tricky.jsonl")])
    assert out.exit_code == 0, out.output
    last = json.loads(out.output.strip().splitlines()[-1])
    assert set(last) >= {"precision", "recall", "f1", "n"} and last["recall"] >= 0.98


def test_when_eval_data_has_bad_span_then_error_names_line_and_field(tmp_path: Path) -> None:
    from massline.privacy.evaluate import load_records

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "abc", "spans": [[0, 9, "PHONE"]]}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1.*spans"):
        load_records(bad)


def test_when_cli_given_unknown_output_then_exit_2_with_clear_message() -> None:
    import massline.cli.app  # noqa: F401  (registers the command modules)
    from massline.cli._apps import app

    out = CliRunner().invoke(app, ["pii", "mask", f"电话{PHONE}", "--output", "tv"])
    assert out.exit_code == 2
    assert "unknown output 'tv'" in out.output
