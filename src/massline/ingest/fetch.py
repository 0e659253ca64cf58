"""The polite fetcher: pages and feeds over HTTP(S) with httpx.

Polite means: robots.txt is asked first (and obeyed for our user agent), every request
has a timeout and a size cap from settings, a descriptive User-Agent, and a conditional GET
(ETag / Last-Modified kept on the :class:`Source`) so polling an unchanged feed costs the
publisher a 304 and us nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from massline.core.config import Settings
from massline.core.errors import FetchError
from massline.ingest.readers import format_for, sniff_format


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


def format_of_fetched(result: FetchResult) -> str:
    """The reader format of a fetched body: sniffed, else from the URL path."""
    sniffed = sniff_format(result.content, result.content_type)
    if sniffed != "text" or "text/plain" in result.content_type:
        return sniffed
    return format_for(PurePosixPath(urlsplit(result.url).path), result.content)
