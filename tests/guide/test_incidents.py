"""The incident workflow on the real database: stages, notes, links, escalation, closing review, audit, walls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.errors import InputError, PermissionDenied
from massline.db.base import Base
from massline.db.models.audit import AuditEvent
from massline.db.models.users import User
from massline.db.session import get_engine
from massline.guide import incidents as inc
from massline.guide.risk import score_messages
from massline.serve.accounts import create_user
from massline.serve.departments import seed_departments

GUIDE_TABLES = {"guide_incidents", "guide_incident_events", "guide_incident_links"}


def _users(session: Session) -> dict[str, User]:
    seed_departments(session)
    return {role: create_user(session, username=f"u_{role}", password="secret-pass-123", role=role,
                              department_code="zjj" if role == "handler" else None)
            for role in ("analyst", "dispatcher", "handler", "editor", "public")}


def test_an_incident_goes_through_every_stage_with_events_and_audit(session: Session) -> None:
    users = _users(session)
    analyst, dispatcher, handler = users["analyst"], users["dispatcher"], users["handler"]
    risk = score_messages([("丽发新城小区业主联名反对搅拌站", "噪音粉尘，老人孩子受影响")], users=12, places=1)
    incident = inc.open_incident(session, analyst, title="A2区丽发新城小区 搅拌站噪音扰民", origin_kind="issue",
                                 origin_ref="I3245", message_ids=[1, 2, 2, 3], risk=risk,
                                 due_at=datetime.now(UTC) + timedelta(days=3))
    assert incident.stage == "identify" and inc.links(session, incident, "message") == [1, 2, 3]
    assert incident.risk_reasons and incident.risk_level == risk.level
    with pytest.raises(InputError):
        inc.move(session, analyst, incident, "handle")  # one stage at a time
    for stage in ("analyse", "handle"):
        inc.move(session, analyst, incident, stage)
    with pytest.raises(InputError):
        inc.move(session, analyst, incident, "analyse")  # back needs a note
    inc.move(session, analyst, incident, "analyse", note="环保局检测数据未到，重新研判")
    inc.move(session, analyst, incident, "handle")
    inc.add_note(session, analyst, incident, "已转环保局、城管局联合执法")
    inc.link(session, analyst, incident, "case", [7])
    inc.escalate(session, analyst, incident, "三天内仍有新增留言，报区领导")
    inc.move(session, analyst, incident, "review")
    inc.move(session, analyst, incident, "prevent")
    with pytest.raises(InputError):
        inc.close(session, analyst, incident, "好")  # a review must say something
    inc.close(session, analyst, incident, "搅拌站已停产整改；每周回访小区，纳入重点监测名单")
    session.flush()
    assert incident.status == "closed" and incident.escalation == 1 and incident.closed_at is not None
    kinds = [e.kind for e in inc.events(session, incident)]
    assert kinds[0] == "open" and kinds[-1] == "close" and "escalate" in kinds and "note" in kinds
    audit = list(session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "incident")))
    assert len(audit) == len(kinds) and "incident.stage" in audit and "incident.close" in audit
    # dispatchers read incidents (and follow linked cases); handlers outside the department and the public do not
    assert inc.can_view(dispatcher, incident) and not inc.can_work(dispatcher)
    assert not inc.can_view(handler, incident)
    with pytest.raises(PermissionDenied):
        inc.add_note(session, dispatcher, incident, "x")
    with pytest.raises(PermissionDenied):
        inc.list_incidents(session, users["public"])
    assert inc.list_incidents(session, analyst, include_closed=True) == [incident]


def test_guide_tables_match_the_migration(sqlite_url: str) -> None:
    with get_engine(sqlite_url).connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    flat = [d if isinstance(d, tuple) else d[0] for d in diffs]
    ours = [d for d in flat if any(getattr(getattr(x, "table", x), "name", x) in GUIDE_TABLES for x in d)]
    assert ours == []
