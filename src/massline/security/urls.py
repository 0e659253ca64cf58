"""Is a URL safe to store and hand on? (``media_url`` of Open311 requests.)

Why: a ``media_url`` is shown to staff and passed to other systems that may fetch it; one that
points at ``127.0.0.1``, ``10.x``, ``169.254.169.254`` (cloud metadata) or ``localhost`` turns
them into a tool for probing the internal network (SSRF). The check is on the URL as written —
every IPv4 spelling (``2130706433``, ``0x7f.1``, ``127.1``), IPv6 (also IPv4-mapped) and
internal host names — without a DNS lookup (which would make intake slow and depend on the
network); whoever fetches the URL must still refuse redirects and names that resolve inward.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

#: Host names that are internal by definition (RFC 6761/6762, common private suffixes).
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa", ".localdomain")
MAX_URL = 2000


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:  # inet_aton reads the legacy forms browsers and curl accept: 127.1, 0x7f.0.0.1, 2130706433
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _internal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def public_url_problem(url: str) -> str | None:
    """Why ``url`` is not an http(s) URL of a public host (None when it is)."""
    if len(url) > MAX_URL:
        return f"longer than {MAX_URL} characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        return "not a valid URL"
    if parts.scheme.lower() not in ("http", "https") or not host:
        return "must be an http(s) URL with a host"
    if parts.username is not None or parts.password is not None:
        return "must not carry a user name or password"
    if any(ch.isspace() for ch in url):
        return "must not contain spaces"
    host = host.rstrip(".").lower()
    ip = _ip(host)
    if ip is not None:
        return "points to an internal, loopback or private address" if _internal(ip) else None
    if host == "localhost" or host.endswith(INTERNAL_SUFFIXES) or "." not in host:
        return "points to an internal host name"
    return None
