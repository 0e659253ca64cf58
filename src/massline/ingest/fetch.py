"""The polite fetcher: pages and feeds over HTTP(S) with httpx.

Polite means: robots.txt is asked first (and obeyed for our user agent), every request
has a timeout and a size cap from settings, a descriptive User-Agent, and a conditional GET
(ETag / Last-Modified kept on the :class:`Source`) so polling an unchanged feed costs the
publisher a 304 and us nothing.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx
from sqlalchemy import select

from massline.core.config import Settings
from massline.core.errors import FetchError
from massline.db.models.intake import Source
from massline.db.session import session_scope
from massline.ingest.process import ProgressHook
from massline.ingest.profiles import Profile
from massline.ingest.readers import format_for, sniff_format
from massline.ingest.report import FileReport, Problem


@dataclass
class FetchResult:
    url: str
    status: int
    content: bytes = b""
    content_type: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _client(settings: Settings) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(settings.fetch_timeout),
        headers={"User-Agent": settings.user_agent},
        follow_redirects=True,
        max_redirects=5,
    )


#: robots.txt per site, kept for ROBOTS_TTL seconds so a run over many pages asks once.
_ROBOTS: dict[str, tuple[float, RobotFileParser | bool]] = {}
ROBOTS_TTL = 600.0


def robots_allows(client: httpx.Client, url: str, user_agent: str) -> bool:
    """What the site's robots.txt says about ``url`` (missing file: allowed; 401/403: disallowed)."""
    robots_url = urljoin(url, "/robots.txt")
    cached = _ROBOTS.get(robots_url)
    if cached is None or time.monotonic() - cached[0] > ROBOTS_TTL:
        try:
            response = client.get(robots_url)
        except httpx.TimeoutException:
            raise FetchError("timed out reading robots.txt", url=url) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot read robots.txt ({type(exc).__name__})", url=url) from None
        rules: RobotFileParser | bool
        if response.status_code in (401, 403):
            rules = False
        elif response.status_code >= 400:
            rules = True
        else:
            rules = RobotFileParser(robots_url)
            rules.parse(response.text.splitlines())
        cached = _ROBOTS[robots_url] = (time.monotonic(), rules)
    rules = cached[1]
    return rules if isinstance(rules, bool) else rules.can_fetch(user_agent, url)


def fetch(settings: Settings, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
    """GET ``url`` politely; raises :class:`FetchError` naming the reason when that is not possible."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError("only http and https URLs can be fetched", url=url)
    conditional: dict[str, str] = {}
    if etag:
        conditional["If-None-Match"] = etag
    if last_modified:
        conditional["If-Modified-Since"] = last_modified
    limit = settings.fetch_max_bytes
    with _client(settings) as client:
        if not robots_allows(client, url, settings.user_agent):
            raise FetchError("disallowed by robots.txt", url=url)
        try:
            with client.stream("GET", url, headers=conditional) as response:
                headers = {k.lower(): v for k, v in response.headers.items()}
                if response.status_code == 304:
                    return FetchResult(url, 304, headers=headers)
                if response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code}", url=url)
                declared = int(headers.get("content-length", "0") or 0)
                if declared > limit:
                    raise FetchError(f"too large: {declared} bytes (limit {limit})", url=url)
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(f"too large: more than {limit} bytes", url=url)
                    chunks.append(chunk)
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {settings.fetch_timeout:g} s", url=url) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"request failed ({type(exc).__name__}: {exc})", url=url) from None
    return FetchResult(url, response.status_code, b"".join(chunks), headers.get("content-type", ""), headers)


def _format(result: FetchResult) -> str:
    sniffed = sniff_format(result.content, result.content_type)
    if sniffed != "text" or "text/plain" in result.content_type:
        return sniffed
    return format_for(PurePosixPath(urlsplit(result.url).path), result.content)


def ingest_url(
    settings: Settings,
    url: str,
    *,
    profile: str | Profile | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: ProgressHook | None = None,
) -> FileReport:
    """Fetch ``url`` (conditionally) and ingest what came back; failures are reported, not raised."""
    from massline.ingest.service import ingest_bytes  # service imports this module lazily too

    name = f"url:{url}"[:200]
    with session_scope(settings.resolved_database_url()) as session:
        source = session.scalars(select(Source).where(Source.name == name)).first()
        etag, last_modified = (source.etag, source.last_modified) if source else (None, None)
    try:
        result = fetch(settings, url, etag=etag, last_modified=last_modified)
    except FetchError as exc:
        return FileReport(url, format="url", problems=[Problem(url, "", "", exc.reason)])
    if result.not_modified:
        return FileReport(url, format="url", not_modified=True)
    fmt = _format(result)
    report = ingest_bytes(
        settings, result.content, origin=url, fmt=fmt, source_name=name, source_kind="feed" if fmt == "feed" else "web",
        url=url, profile=profile, mapping=mapping, headers=result.headers, progress=progress,
    )
    with session_scope(settings.resolved_database_url()) as session:
        source = session.scalars(select(Source).where(Source.name == name)).one()
        source.etag = result.headers.get("etag")
        source.last_modified = result.headers.get("last-modified")
        source.url = url
    return report
