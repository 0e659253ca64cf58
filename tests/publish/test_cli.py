"""The CLI contract: last stdout line is one JSON object; refusals exit non-zero with the reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.publish.conftest import make_staff
from typer.testing import CliRunner

import massline.cli.app  # noqa: F401  (registers every command)
from massline.cli._apps import app
from massline.db.session import session_scope
from massline.publish.feeds import BUILDERS, FeedScope
from massline.publish.posts import published_posts


def run(url: str, *args: str, code: int = 0) -> dict[str, object]:
    result = CliRunner().invoke(app, ["--database-url", url, *args])
    assert result.exit_code == code, result.output
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_posts_commands_follow_the_contract(sqlite_url: str, tmp_path: Path) -> None:
    with session_scope(sqlite_url) as s:
        make_staff(s)
    body = tmp_path / "body.md"
    body.write_text("来信人身份证号110101199003074258，问题已处理。", encoding="utf-8")
    post = run(sqlite_url, "posts", "create", "--kind", "reply", "--title", "答复", "--body-file", str(body),
               "--topic", "城乡建设", "--district", "A3区", "--actor", "ed1")
    assert post["status"] == "draft" and post["topics"] == ["城乡建设"]
    pid = str(post["id"])
    assert run(sqlite_url, "posts", "submit", pid, "--actor", "ed1")["status"] == "review"
    refused = run(sqlite_url, "posts", "approve", pid, "--actor", "ed1", code=1)
    assert "may not approve" in str(refused["error"])
    assert run(sqlite_url, "posts", "approve", pid, "--actor", "rev")["status"] == "approved"
    assert "personal data" in str(run(sqlite_url, "posts", "publish", pid, "--actor", "rev", code=1)["error"])
    assert run(sqlite_url, "posts", "submit", pid, "--actor", "ed1", code=1)["error"]  # wrong state
    run(sqlite_url, "posts", "mask", pid, "--actor", "ed1")
    scheduled = run(sqlite_url, "posts", "publish", pid, "--at", "2030-01-01T09:00", "--actor", "rev")
    assert scheduled["status"] == "scheduled" and scheduled["publish_at"] == "2030-01-01T01:00:00+00:00"
    assert run(sqlite_url, "posts", "run-scheduled", "--now", "2030-01-01T08:59+08:00")["published"] == []
    assert run(sqlite_url, "posts", "run-scheduled", "--now", "2030-01-01T09:00:01+08:00")["published"] == [int(pid)]
    listed = run(sqlite_url, "posts", "list", "--format", "json")
    assert listed["count"] == 1 and listed["posts"][0]["status"] == "published"  # type: ignore[index]
    missing_user = run(sqlite_url, "posts", "create", "--kind", "notice", "--title", "t", "--body", "b",
                       "--actor", "nobody", code=1)
    assert "does not exist" in str(missing_user["error"])

    with session_scope(sqlite_url) as s:
        posts = published_posts(s)
        now = datetime.now(UTC)
        files = []
        for fmt, build in BUILDERS.items():
            path = tmp_path / f"feed.{fmt}"
            path.write_bytes(build(posts, "https://gov.example.org", FeedScope(), now))
            files.append(str(path))
    checked = run(sqlite_url, "feeds", "check", *files)
    assert checked["ok"] is True
    assert {f["format"] for f in checked["feeds"]} == {"rss", "atom", "json"}  # type: ignore[attr-defined]
    broken = tmp_path / "broken.rss"
    broken.write_text("<rss version='2.0'><channel><item></item></channel>", encoding="utf-8")
    assert run(sqlite_url, "feeds", "check", str(broken), code=1)["ok"] is False
