"""Posts: review without self-approval, revisions with diff, the personal-data gate, scheduling, from a case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.errors import InputError, PermissionDenied, TransitionError
from massline.db.models.audit import AuditEvent
from massline.db.models.users import User
from massline.publish import posts as svc

ID_BODY = "市民反映：我的身份证号是110101199003074258，请核实。"


def _approved(session: Session, staff: dict[str, User], body: str = "A3区12月5日停水。", **kw: object) -> object:
    post = svc.create_post(session, kind="notice", title="停水通知", body=body, actor=staff["ed1"],
                           topics=["城乡建设"], districts=["A3区"], **kw)  # type: ignore[arg-type]
    svc.submit(session, post, actor=staff["ed1"])
    svc.approve(session, post, actor=staff["rev"])
    return post


def test_review_flow_and_no_self_approval(session: Session, staff: dict[str, User]) -> None:
    post = svc.create_post(session, kind="notice", title="停水通知", body="停水", actor=staff["ed1"])
    assert post.status == "draft" and post.revision == 1
    with pytest.raises(TransitionError):
        svc.approve(session, post, actor=staff["rev"])  # not under review yet
    svc.submit(session, post, actor=staff["ed1"])
    with pytest.raises(PermissionDenied, match="may not approve"):
        svc.approve(session, post, actor=staff["ed1"])
    with pytest.raises(PermissionDenied):
        svc.approve(session, post, actor=staff["ana"])  # analysts do not review
    with pytest.raises(PermissionDenied):
        svc.create_post(session, kind="notice", title="x", body="", actor=staff["rev"])  # reviewers do not write
    svc.approve(session, post, actor=staff["ed2"])  # another editor may
    assert post.status == "approved" and post.reviewer == "ed2"
    svc.publish(session, post, actor=staff["rev"])
    assert post.status == "published" and post.published_at is not None
    kinds = [e.kind for e in svc.events(session, post.id)]
    assert kinds == ["create", "submit", "approve", "publish"]
    actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "post")))
    assert {"post.create", "post.approve", "post.publish"} <= actions


def test_co_writer_may_not_approve_and_edits_are_diffed(session: Session, staff: dict[str, User]) -> None:
    post = svc.create_post(session, kind="explainer", title="解读", body="第一行\n第二行", actor=staff["ed1"])
    svc.edit_post(session, post, actor=staff["ed2"], body="第一行\n第二行（修改）", note="措辞")
    assert post.revision == 2
    svc.submit(session, post, actor=staff["ed1"])
    with pytest.raises(PermissionDenied):
        svc.approve(session, post, actor=staff["ed2"])  # ed2 wrote revision 2
    revs = svc.revisions(session, post.id)
    d = svc.diff(revs[0], revs[1])
    assert ("-", "第二行") in d and ("+", "第二行（修改）") in d


def test_personal_data_blocks_until_masked(session: Session, staff: dict[str, User]) -> None:
    post = _approved(session, staff, body=ID_BODY)
    with pytest.raises(svc.PersonalDataFound, match="ID_CARD"):
        svc.publish(session, post, actor=staff["rev"])
    assert post.status == "approved"  # type: ignore[attr-defined]
    svc.mask_pii(session, post, actor=staff["ed1"])  # type: ignore[arg-type]
    assert "110101199003074258" not in post.body  # type: ignore[attr-defined]
    svc.publish(session, post, actor=staff["rev"])  # type: ignore[arg-type]
    assert post.status == "published"  # type: ignore[attr-defined]


def test_waiver_needs_reason_is_audited_and_holds_for_that_text_only(session: Session,
                                                                     staff: dict[str, User]) -> None:
    post = _approved(session, staff, body=ID_BODY)
    with pytest.raises(InputError):
        svc.waive_pii(session, post, actor=staff["rev"], reason=" ")  # type: ignore[arg-type]
    svc.waive_pii(session, post, actor=staff["rev"], reason="当事人书面同意公开")  # type: ignore[arg-type]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "post.pii_waive")).one()
    assert event.reason == "当事人书面同意公开" and "110101" not in str(event.detail)
    svc.edit_post(session, post, actor=staff["ed1"], body=ID_BODY + " 补充")  # type: ignore[arg-type]
    assert svc.pii_status(post).blocking  # type: ignore[arg-type]


def test_scheduled_publish_and_unpublish(session: Session, staff: dict[str, User]) -> None:
    post = _approved(session, staff)
    now = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
    svc.publish(session, post, actor=staff["rev"], at=now + timedelta(hours=1),  # type: ignore[arg-type]
                until=now + timedelta(days=1), now=now)
    assert post.status == "scheduled"  # type: ignore[attr-defined]
    assert svc.run_scheduled(session, now + timedelta(minutes=59))["published"] == []
    assert svc.run_scheduled(session, now + timedelta(hours=1, seconds=1))["published"] == [post.id]  # type: ignore[attr-defined]
    assert post.status == "published"  # type: ignore[attr-defined]
    assert svc.run_scheduled(session, now + timedelta(days=2))["archived"] == [post.id]  # type: ignore[attr-defined]
    assert post.status == "archived"  # type: ignore[attr-defined]


def test_scheduled_post_whose_waiver_no_longer_holds_is_held_back(session: Session, staff: dict[str, User]) -> None:
    post = _approved(session, staff, body=ID_BODY)
    svc.waive_pii(session, post, actor=staff["rev"], reason="同意公开")  # type: ignore[arg-type]
    now = datetime(2030, 1, 1, tzinfo=UTC)
    svc.publish(session, post, actor=staff["rev"], at=now + timedelta(hours=1), now=now)  # type: ignore[arg-type]
    post.pii_check = {}  # type: ignore[attr-defined]
    out = svc.run_scheduled(session, now + timedelta(hours=2))
    assert out["blocked"] == [post.id] and post.status == "approved"  # type: ignore[attr-defined]


def test_public_reply_from_a_case_in_one_step(session: Session, staff: dict[str, User]) -> None:
    from massline.db.models.workorders import Reply, WorkOrder

    wo = WorkOrder(token="t" * 20, title="A5区道路破损", description="道路破损，电话13812345678",
                   public_description="道路破损，电话138****5678", category="城乡建设", district="A5区",
                   attributes={"public_reply": "yes"})
    session.add(wo)
    session.flush()
    session.add(Reply(work_order_id=wo.id, author="h", text="已安排维修，联系13812345678",
                      public_text="已安排维修，联系138****5678", public=True))
    session.flush()
    post = svc.reply_post_from_case(session, wo.id, actor=staff["ed1"])
    assert post.kind == "reply" and post.work_order_id == wo.id and post.topics == ["城乡建设"]
    assert "13812345678" not in post.body and "已安排维修" in post.body
    assert not svc.pii_status(post).blocking
    wo.attributes = {"public_reply": "no"}
    with pytest.raises(PermissionDenied):
        svc.reply_post_from_case(session, wo.id, actor=staff["ed1"])


def test_bad_input_names_the_field(session: Session, staff: dict[str, User]) -> None:
    with pytest.raises(InputError) as err:
        svc.create_post(session, kind="poster", title="x", body="", actor=staff["ed1"])
    assert err.value.field == "kind"
    with pytest.raises(InputError) as err:
        svc.create_post(session, kind="notice", title=" ", body="", actor=staff["ed1"])
    assert err.value.field == "title"


def test_attachments_are_accepted_by_their_bytes_only(session: Session, staff: dict[str, User]) -> None:
    from massline.publish.attachments import add_attachment, sniff

    post = svc.create_post(session, kind="notice", title="附件", body="", actor=staff["ed1"])
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
    row = add_attachment(session, post, filename="../../etc/地图 v1.png", data=png, actor="ed1")
    assert row.content_type == "image/png" and "/" not in row.filename and row.size == len(png)
    assert sniff(b"%PDF-1.7 ...") == "application/pdf"
    with pytest.raises(InputError):
        add_attachment(session, post, filename="photo.jpg", data=b"<html><script>x</script>", actor="ed1")
