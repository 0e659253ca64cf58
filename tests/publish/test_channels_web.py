"""Feeds (RSS 2.0 / Atom 1.0 / JSON Feed 1.1, parsed back), public pages, the REST API, readers' interaction."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import feedparser
from fastapi.testclient import TestClient
from sqlalchemy import select

from massline.core.config import Settings
from massline.db.models.publish import Comment, Post
from massline.db.models.workorders import WorkOrder
from massline.db.session import session_scope
from massline.publish import posts as svc
from massline.publish.feeds import check_feed
from massline.serve.accounts import get_user

ID_NUMBER = "110101199003074258"


def _publish(settings: Settings, title: str, topic: str, district: str, body: str = "正文 **重要**",
             at: datetime | None = None) -> int:
    with session_scope(settings.resolved_database_url()) as s:
        ed, rev = get_user(s, "ed1"), get_user(s, "rev")
        post = svc.create_post(s, kind="notice", title=title, body=body, actor=ed, topics=[topic], districts=[district])
        svc.submit(s, post, actor=ed)
        svc.approve(s, post, actor=rev)
        svc.publish(s, post, actor=rev, now=at)
        if at is not None:
            post.published_at = at
        return post.id


def _csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match
    return match.group(1)


def test_three_feeds_are_valid_filtered_and_stable(client: TestClient, app_settings: Settings) -> None:
    t0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    old = _publish(app_settings, "道路维修公告", "城乡建设", "A3区", at=t0)
    new = _publish(app_settings, "学校招生解读", "教育文体", "A1区", at=t0 + timedelta(hours=5))
    for fmt, ctype in (("rss", "application/rss+xml"), ("atom", "application/atom+xml"),
                       ("json", "application/feed+json")):
        r = client.get(f"/feeds/posts.{fmt}")
        assert r.status_code == 200 and r.headers["content-type"].startswith(ctype)
        check = check_feed(r.content, r.headers["content-type"])
        assert check.ok, check.problems
        assert check.entries == 2
        if fmt == "json":
            doc = json.loads(r.content)
            assert doc["version"] == "https://jsonfeed.org/version/1.1"
            items = doc["items"]
            assert [i["title"] for i in items] == ["学校招生解读", "道路维修公告"]  # newest first
            assert items[1]["date_published"] == "2026-11-30T10:00:00+08:00"
            ids = [i["id"] for i in items]
        else:
            parsed = feedparser.parse(r.content)
            assert parsed.version == ("rss20" if fmt == "rss" else "atom10") and not parsed.bozo
            assert [e.title for e in parsed.entries] == ["学校招生解读", "道路维修公告"]
            entry = parsed.entries[1]
            raw_date = entry.published
            assert "+0800" in raw_date or "+08:00" in raw_date
            assert entry.published_parsed[:4] == (2026, 11, 30, 2)  # 10:00+08:00 = 02:00 UTC
            assert "<strong>重要</strong>" in (entry.content[0].value if fmt == "atom" else entry.summary)
            ids = [e.id for e in parsed.entries]
        assert ids[1] == f"tag:gov.example.org,2026-12-02:post/{old}" or ids[1].endswith(f":post/{old}")
        filtered = client.get(f"/feeds/posts.{fmt}?topic=城乡建设")
        assert check_feed(filtered.content, filtered.headers["content-type"]).entries == 1
        by_district = client.get(f"/feeds/posts.{fmt}?district=A1区")
        assert check_feed(by_district.content, by_district.headers["content-type"]).entries == 1
    before = feedparser.parse(client.get("/feeds/posts.atom").content).entries[0].id
    with session_scope(app_settings.resolved_database_url()) as s:
        s.get(Post, new).updated_at = datetime.now(UTC)  # an update must not change the id
    assert feedparser.parse(client.get("/feeds/posts.atom").content).entries[0].id == before
    assert client.get("/feeds/posts.xml").status_code == 404


def test_public_pages_show_only_published_sanitised_posts(client: TestClient, app_settings: Settings) -> None:
    body = "<script>alert(1)</script>\n\n[链接](javascript:x)"
    pid = _publish(app_settings, "停水通知", "城乡建设", "A3区", body=body)
    page = client.get(f"/posts/{pid}")
    assert page.status_code == 200 and "停水通知" in page.text
    assert "<script>alert" not in page.text and 'href="javascript' not in page.text
    assert 'name="viewport"' in page.text
    assert "停水通知" in client.get("/posts").text
    assert "停水通知" in client.get("/posts/topic/城乡建设").text
    assert "停水通知" not in client.get("/posts/district/A1区").text
    with session_scope(app_settings.resolved_database_url()) as s:
        draft = svc.create_post(s, kind="notice", title="草稿不公开", body="", actor=get_user(s, "ed1"))
        draft_id = draft.id
    assert client.get(f"/posts/{draft_id}").status_code == 404
    assert "草稿不公开" not in client.get("/feeds/posts.rss").text
    assert client.get("/stats").status_code == 200


def test_rest_api_flow_refusals_and_openapi(client: TestClient) -> None:
    def token(user: str) -> dict[str, str]:
        r = client.post("/api/auth/token", data={"username": user, "password": "password123"})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    ed, rev = token("ed1"), token("rev")
    r = client.post("/api/posts", json={"kind": "notice", "title": "通知", "body": f"身份证{ID_NUMBER}"}, headers=ed)
    assert r.status_code == 201 and r.json()["status"] == "draft" and r.json()["pii"]["blocking"]
    pid = r.json()["id"]
    assert client.post(f"/api/posts/{pid}/submit", headers=ed).status_code == 200
    refused = client.post(f"/api/posts/{pid}/approve", headers=ed)
    assert refused.status_code == 403 and "may not approve" in refused.json()["detail"]
    assert client.post(f"/api/posts/{pid}/approve", headers=rev).status_code == 200
    blocked = client.post(f"/api/posts/{pid}/publish", headers=rev)
    assert blocked.status_code == 409 and "personal data" in blocked.json()["detail"]
    assert client.post(f"/api/posts/{pid}/mask", headers=ed).status_code == 200
    ok = client.post(f"/api/posts/{pid}/publish", headers=rev)
    assert ok.status_code == 200 and ok.json()["status"] == "published"
    assert client.post("/api/posts", json={"kind": "x", "title": "t"}, headers=ed).status_code == 422
    assert client.get("/api/posts", headers=token("ana")).status_code == 403
    revs = client.get(f"/api/posts/{pid}/revisions", headers=ed).json()
    assert len(revs) == 2 and any(op == "-" for op, _ in revs[1]["diff"])
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/posts", "/api/posts/{post_id}/publish", "/api/posts/{post_id}/approve"} <= set(paths)


def test_reactions_comments_and_questions(client: TestClient, app_settings: Settings) -> None:
    pid = _publish(app_settings, "医保报销解读", "卫生计生", "A2区")
    token = _csrf(client, f"/posts/{pid}")
    for value in ("helpful", "helpful", "not_helpful"):  # one vote per reader per day: the last one counts
        assert client.post(f"/posts/{pid}/react", data={"csrf_token": token, "value": value}).status_code == 200
    page = client.get(f"/posts/{pid}").text
    assert 'id="count-not_helpful">1<' in page and 'id="count-helpful">0<' in page
    r = client.post(f"/posts/{pid}/comment", data={"csrf_token": token, "body": "我电话13812345678，能报销吗"})
    assert r.status_code == 200 and "审核通过后显示" in r.text
    assert "能报销吗" not in client.get(f"/posts/{pid}").text  # pre-moderation
    with session_scope(app_settings.resolved_database_url()) as s:
        comment = s.scalars(select(Comment)).one()
        assert "13812345678" not in comment.public_body
        from massline.publish.reactions import moderate
        moderate(s, comment.id, decision="approved", actor="rev")
    shown = client.get(f"/posts/{pid}").text
    assert "能报销吗" in shown and "13812345678" not in shown
    asked = client.post(f"/posts/{pid}/ask", data={"csrf_token": token, "question": "异地就医怎么备案？"},
                        follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"].startswith("/track/")
    with session_scope(app_settings.resolved_database_url()) as s:
        wo = s.scalars(select(WorkOrder)).one()
        assert wo.attributes["post_id"] == pid and wo.district == "A2区"
    limited = [client.post(f"/posts/{pid}/comment", data={"csrf_token": token, "body": f"评论{i}"}).status_code
               for i in range(6)]
    assert 429 in limited  # comments + questions share a limit of 5 per 10 minutes per client
