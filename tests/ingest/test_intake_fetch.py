"""The polite fetcher against a local HTTP server: robots.txt, ETag/304, size limit, timeout, feeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.ingest.intake_helpers import Site

from massline.core.config import Settings
from massline.core.errors import FetchError
from massline.db.models.intake import RawItem, Source
from massline.db.session import get_sessionmaker
from massline.ingest.fetch import fetch
from massline.ingest.service import ingest_paths, ingest_url

PAGE = ("<html><head><title>市民留言</title></head><body><article><p>"
        + "小区门口的下水道堵塞了很久，雨天积水严重，请有关部门尽快疏通。" * 3
        + "</p></article></body></html>").encode()
FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
<item><guid>a1</guid><title>垃圾清运不及时</title><description>小区垃圾已经三天没人清运了，气味很大。</description></item>
</channel></rss>""".encode()
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


@pytest.fixture
def web(site: Site) -> Site:
    site.routes.update({
        "/robots.txt": (200, {"Content-Type": "text/plain"}, ROBOTS, 0.0),
        "/page.html": (200, {"Content-Type": "text/html; charset=utf-8", "ETag": '"v1"',
                             "Last-Modified": "Tue, 10 Mar 2020 08:00:00 GMT"}, PAGE, 0.0),
        "/private/page.html": (200, {"Content-Type": "text/html"}, PAGE, 0.0),
        "/feed": (200, {"Content-Type": "application/rss+xml"}, FEED, 0.0),
        "/big": (200, {"Content-Type": "text/plain"}, b"x" * 5000, 0.0),
        "/slow": (200, {"Content-Type": "text/plain"}, b"late", 1.5),
    })
    return site


def _fast(settings: Settings) -> Settings:
    return settings.model_copy(update={"fetch_timeout": 0.5, "fetch_max_bytes": 2000})


def test_when_a_page_is_fetched_twice_then_the_second_time_is_a_304_and_adds_nothing(
    settings: Settings, web: Site
) -> None:
    url = web.base + "/page.html"

    first = ingest_url(settings, url)
    second = ingest_url(settings, url)

    assert (first.format, first.new) == ("html", 1)
    assert second.not_modified and second.new == 0
    conditional = [h for p, h in web.requests if p == "/page.html"][-1]
    assert conditional["if-none-match"] == '"v1"'
    assert conditional["user-agent"] == settings.user_agent
    with get_sessionmaker(settings.resolved_database_url())() as s:
        source = s.scalars(select(Source).where(Source.url == url)).one()
        assert (source.kind, source.etag, source.last_modified) == ("web", '"v1"', "Tue, 10 Mar 2020 08:00:00 GMT")
        assert s.scalars(select(RawItem)).one().content == PAGE


def test_when_robots_txt_disallows_then_nothing_is_fetched(settings: Settings, web: Site) -> None:
    report = ingest_url(settings, web.base + "/private/page.html")

    assert report.new == 0 and report.problems[0].reason == "disallowed by robots.txt"
    assert "/private/page.html" not in [p for p, _ in web.requests]


def test_when_a_response_is_too_large_or_too_slow_then_a_clear_error_is_raised(settings: Settings, web: Site) -> None:
    fast = _fast(settings)
    with pytest.raises(FetchError, match="too large"):
        fetch(fast, web.base + "/big")
    with pytest.raises(FetchError, match=r"timed out after 0\.5 s"):
        fetch(fast, web.base + "/slow")
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(fast, web.base + "/missing")


def test_when_a_feed_url_is_ingested_then_entries_become_messages(settings: Settings, web: Site) -> None:
    report = ingest_paths(settings, [web.base + "/feed", web.base + "/private/x"])

    feed, private = report.files
    assert (feed.format, feed.new) == ("feed", 1) and report.ok
    assert private.problems and not private.usable
    with get_sessionmaker(settings.resolved_database_url())() as s:
        assert s.scalars(select(Source.kind).where(Source.url == web.base + "/feed")).one() == "feed"
        assert s.scalar(select(func.count()).select_from(RawItem)) == 2  # the feed + its entry


def test_when_a_url_is_not_http_then_it_is_refused(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetch(settings, "file:///etc/passwd")
