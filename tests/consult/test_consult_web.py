"""Consultations through the service and the public pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from massline.consult import service
from massline.core.config import Settings
from massline.core.errors import InputError
from massline.db.models.consult import ConsultVote, ConsultVoteEvent
from massline.db.session import session_scope, upgrade
from massline.web.app import create_app

SEEDS = [f"观点{i}：公共交通应该{'增加' if i % 2 else '减少'}班次{i}" for i in range(10)]


def seed_consultation(url: str, n_people: int = 40) -> str:
    """A consultation with two synthetic camps voting on the seeds (statement 0 unites them)."""
    rng = np.random.default_rng(0)
    with session_scope(url) as s:
        c = service.create_consultation(s, title="公交线路调整", question="您怎么看？", background_md="**背景**",
                                        seeds=SEEDS, slug="bus")
        ids = sorted(service.accepted_statements(s, c))
        for person in range(n_people):
            p = service.participant(s, c, f"synthetic-{person}")
            for j, sid in enumerate(ids):
                if j == 0:
                    value = 1
                else:
                    value = 1 if (j % 2 == 0) == (person % 2 == 0) else -1
                if rng.random() < 0.1:
                    value = 0
                service.cast_vote(s, c, p, sid, value, check_rate=False)
        return c.slug


@pytest.fixture
def client(settings: Settings, db_url: str) -> Iterator[TestClient]:
    upgrade(db_url)
    service._CACHE.clear()
    with TestClient(create_app(settings)) as c:
        yield c


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m
    return m.group(1)


def test_vote_change_keeps_history_and_validates(client: TestClient, db_url: str) -> None:
    with session_scope(db_url) as s:
        c = service.create_consultation(s, title="t", question="q", seeds=["第一条观点", "第二条观点"], slug="h")
        p = service.participant(s, c, "tok")
        sid = min(service.accepted_statements(s, c))
        service.cast_vote(s, c, p, sid, "agree")
        service.cast_vote(s, c, p, sid, "disagree")
        with pytest.raises(InputError, match="vote"):
            service.cast_vote(s, c, p, sid, "maybe")
        assert s.scalar(select(func.count()).select_from(ConsultVote)) == 1
        assert s.scalar(select(func.count()).select_from(ConsultVoteEvent)) == 2
        with pytest.raises(InputError, match="personal data"):
            service.submit_statement(s, c, p, "有事请打我电话13812345678")
        with pytest.raises(InputError, match="closes_at"):
            from datetime import UTC, datetime
            service.create_consultation(s, title="x", question="y", opens_at=datetime(2026, 2, 1, tzinfo=UTC),
                                        closes_at=datetime(2026, 1, 1, tzinfo=UTC))


def test_participant_votes_submits_and_results_are_aggregate(client: TestClient, db_url: str) -> None:
    slug = seed_consultation(db_url)
    page = client.get(f"/consult/{slug}")
    assert page.status_code == 200 and "massline_consult" in page.cookies
    token = _csrf(page.text)
    sid = re.search(r'name="statement_id" value="(\d+)"', page.text)
    assert sid
    voted = client.post(f"/consult/{slug}/vote", data={"csrf_token": token, "statement_id": sid.group(1),
                                                       "vote": "agree"})
    assert voted.status_code == 200 and "statement-card" in voted.text
    bad = client.post(f"/consult/{slug}/statement", data={"csrf_token": token, "body": "电话13812345678找我"})
    assert "personal data" in bad.text
    ok = client.post(f"/consult/{slug}/statement", data={"csrf_token": token, "body": "应该增加夜班公交"})
    assert "谢谢" in ok.text
    res = client.get(f"/consult/{slug}/results")
    assert res.status_code == 200
    assert "consensus-item" in res.text and "<ellipse" in res.text
    hashes = [service.token_hash(f"synthetic-{i}") for i in range(40)]
    for path in (f"/consult/{slug}", f"/consult/{slug}/results", f"/consult/{slug}/report",
                 f"/consult/{slug}/export.csv"):
        body = client.get(path).text
        # no participant identifier of any kind, and no per-person vote listing
        assert "synthetic-" not in body and "participant_id" not in body and "voter" not in body.lower()
        assert not any(h in body or h[:12] in body for h in hashes)
    csv_text = client.get(f"/consult/{slug}/export.csv").text
    header = csv_text.lstrip("\ufeff").splitlines()[0]
    assert header.startswith("statement_id,text,agree,disagree,pass")
    assert client.get("/consult/no-such-thing").status_code == 404
    assert client.get("/consult/no-such-thing/export.csv").status_code == 404
    xlsx = client.get(f"/consult/{slug}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_organiser_creates_pre_moderated_consultation_and_moderates(client: TestClient, db_url: str) -> None:
    from massline.web.pages.sample import create_user_with_password

    with session_scope(db_url) as s:
        create_user_with_password(s, "org", "organiser", "password123")
    assert client.get("/staff/consult", follow_redirects=False).status_code in (302, 303, 307)
    client.post("/staff/login", data={"csrf_token": _csrf(client.get("/staff/login").text), "username": "org",
                                      "password": "password123", "next": "/staff/consult"}, follow_redirects=False)
    page = client.get("/staff/consult")
    assert page.status_code == 200
    token = _csrf(page.text)
    bad = client.post("/staff/consult", data={"csrf_token": token, "title": "", "question": "q"})
    assert bad.status_code == 422 and "title" in bad.text
    made = client.post("/staff/consult", data={"csrf_token": token, "title": "停车收费", "question": "怎么收？",
                                               "seeds": "按时收费\n按次收费", "moderation": "pre"},
                       follow_redirects=False)
    assert made.status_code == 303
    slug = made.headers["location"].rsplit("/", 1)[1]
    public = client.get(f"/consult/{slug}")
    client.post(f"/consult/{slug}/statement", data={"csrf_token": _csrf(public.text), "body": "夜间免费停车"})
    assert "夜间免费停车" not in client.get(f"/consult/{slug}").text  # pending until moderated
    staff = client.get("/staff/consult").text
    sid = re.search(r'/staff/consult/statement/(\d+)', staff)
    assert sid and "夜间免费停车" in staff
    client.post(f"/staff/consult/statement/{sid.group(1)}", data={"csrf_token": token, "status": "accepted"})
    with session_scope(db_url) as s:
        from massline.db.models.consult import ConsultStatement
        assert s.get(ConsultStatement, int(sid.group(1))).status == "accepted"  # type: ignore[union-attr]
