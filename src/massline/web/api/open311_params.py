"""Reading Open311 arguments: W3C datetimes, comma lists, the POST form with ``attribute[code]``.

Everything here turns bad input into :class:`Open311Error` (400) naming the argument, so the
handlers never see a half-valid request. The spec's "optional argument" rule applies: an
argument sent empty is treated exactly like one not sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from massline.core.clock import parse_instant
from massline.core.errors import InputError
from massline.security.urls import public_url_problem
from massline.web.api.open311_format import Open311Error

MAX_DESCRIPTION = 4000
#: Ids one anonymous ``GET requests?service_request_id=…`` may ask for (no bulk dumps).
MAX_IDS_PER_CALL = 50
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE = 10_000
MAX_ID = 2**31 - 1  # ids are 32-bit integers in both databases
MAX_SPAN = timedelta(days=90)
STATUSES = ("open", "closed")
CONTACT_FIELDS = ("email", "device_id", "account_id", "first_name", "last_name", "phone")
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_W3C = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$")


def blank(value: str | None) -> str | None:
    """``None`` for a missing or empty argument (the spec's optional-argument rule), else stripped text."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def parse_w3c(value: str | None, name: str, *, end_of_day: bool = False) -> datetime | None:
    """A W3C datetime (ISO 8601 subset with a timezone, honoured), or a plain date: a calendar day in the
    installation's zone — its start, or with ``end_of_day`` its end (an ``end_date`` day is included)."""
    value = blank(value)
    if value is None:
        return None
    if not _W3C.match(value):
        raise Open311Error(400, f"{name}: {value!r} is not a W3C datetime such as 2010-01-01T00:00:00Z")
    try:
        return parse_instant(value, field=name, end_of_day=end_of_day)
    except InputError:
        raise Open311Error(400, f"{name}: {value!r} is not a valid date") from None


def w3c(value: datetime | None) -> str | None:
    """A datetime as the spec writes it (UTC, ``Z``); naive values are taken as UTC (SQLite)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def comma_list(value: str | None) -> list[str]:
    value = blank(value)
    return [] if value is None else [p.strip() for p in value.split(",") if p.strip()]


def request_ids(value: str | None) -> list[int]:
    parts = comma_list(value)
    if len(parts) > MAX_IDS_PER_CALL:
        raise Open311Error(400, f"service_request_id: at most {MAX_IDS_PER_CALL} ids per call (got {len(parts)})")
    ids = []
    for part in parts:
        if not part.isdigit() or len(part) > 10 or not 0 < int(part) <= MAX_ID:
            raise Open311Error(400, f"service_request_id: {part!r} is not a service request id")
        ids.append(int(part))
    return ids


@dataclass(frozen=True, slots=True)
class Page:
    """Which slice of a public list: ``page`` (from 1) of ``page_size`` rows."""

    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def _bounded_int(value: str | None, name: str, default: int, high: int) -> int:
    value = blank(value)
    if value is None:
        return default
    if not value.isdigit() or len(value) > len(str(high)) or not 1 <= int(value) <= high:
        raise Open311Error(400, f"{name}: {value!r} is not a whole number from 1 to {high}")
    return int(value)


def page(page_value: str | None, page_size: str | None) -> Page:
    """``page`` and ``page_size`` (default 50, at most 200) of a public list."""
    return Page(_bounded_int(page_value, "page", 1, MAX_PAGE),
                _bounded_int(page_size, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE))


def after_id(value: str | None) -> int | None:
    """``after`` (keyset paging, our extension): the last ``service_request_id`` of the page before."""
    return None if blank(value) is None else _bounded_int(value, "after", 1, MAX_ID)


def check_jurisdiction(value: str | None, served: str) -> None:
    """A ``jurisdiction_id`` other than the one this endpoint serves is refused (absent is fine)."""
    value = blank(value)
    if value is not None and value != served:
        raise Open311Error(404, f"jurisdiction_id: {value!r} is not served here (this endpoint serves {served!r})")


def statuses(value: str | None) -> list[str]:
    out = comma_list(value)
    for status in out:
        if status not in STATUSES:
            raise Open311Error(400, f"status: {status!r} is not one of open, closed")
    return out


@dataclass(frozen=True, slots=True)
class DateRange:
    start: datetime
    end: datetime


def date_range(start_date: str | None, end_date: str | None, *, now: datetime | None = None) -> DateRange:
    """The requested_datetime window: at most 90 days, the most recent 90 days by default."""
    start = parse_w3c(start_date, "start_date")
    end = parse_w3c(end_date, "end_date", end_of_day=True)
    now = now or datetime.now(UTC)
    if start is None and end is None:
        end, start = now, now - MAX_SPAN
    elif start is None:
        assert end is not None
        start = end - MAX_SPAN
    elif end is None:
        end = min(now, start + MAX_SPAN) if start < now else start + MAX_SPAN
    if end < start:
        raise Open311Error(400, "end_date: is before start_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "end_date: the range from start_date may not span more than 90 days")
    return DateRange(start, end)


@dataclass(slots=True)
class NewRequest:
    """A validated POST requests form (contact fields kept apart: they are personal data)."""

    service_code: str
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    description: str = ""
    media_url: str | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)
    contact: dict[str, str] = field(default_factory=dict)


def _coordinate(value: str | None, name: str, limit: float) -> float | None:
    value = blank(value)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name}: {value!r} is not a number") from None
    if not -limit <= number <= limit:
        raise Open311Error(400, f"{name}: {number} is outside -{limit:g}..{limit:g} (WGS84)")
    return number


def split_form(items: Iterable[tuple[str, Any]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Form pairs → (plain fields, ``attribute[code]`` values); a repeated plain field is refused."""
    fields: dict[str, str] = {}
    attributes: dict[str, list[str]] = {}
    for key, raw in items:
        if not isinstance(raw, str):
            raise Open311Error(400, f"{key}: files are not accepted; send media_url instead")
        match = _ATTRIBUTE.match(key)
        if match:
            attributes.setdefault(match.group(1), []).append(raw)
        elif key in fields and blank(fields[key]) is not None and blank(raw) not in (None, blank(fields[key])):
            raise Open311Error(400, f"{key}: sent more than once with different values")
        elif blank(raw) is not None or key not in fields:
            fields[key] = raw
    return fields, attributes


def new_request(fields: dict[str, str], attributes: dict[str, list[str]]) -> NewRequest:
    """Validate the POST form: service_code, one full location, description and contact fields."""
    service_code = blank(fields.get("service_code"))
    if service_code is None:
        raise Open311Error(400, "service_code was not provided")
    lat = _coordinate(fields.get("lat"), "lat", 90)
    long = _coordinate(fields.get("long"), "long", 180)
    if (lat is None) != (long is None):
        raise Open311Error(400, f"{'long' if long is None else 'lat'}: lat and long must be sent together")
    address_string = blank(fields.get("address_string"))
    address_id = blank(fields.get("address_id"))
    if lat is None and address_string is None and address_id is None:
        raise Open311Error(400, "location: one of lat & long, address_string or address_id is required")
    description = blank(fields.get("description"))
    if description is None:
        raise Open311Error(400, "description was not provided")
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description: longer than {MAX_DESCRIPTION} characters ({len(description)})")
    media_url = blank(fields.get("media_url"))
    problem = public_url_problem(media_url) if media_url is not None else None
    if problem is not None:
        raise Open311Error(400, f"media_url: {problem}")
    contact = {name: v for name in CONTACT_FIELDS if (v := blank(fields.get(name))) is not None}
    if "email" in contact and not _EMAIL.match(contact["email"]):
        raise Open311Error(400, "email: not an e-mail address")
    for name, value in contact.items():
        if len(value) > 200:
            raise Open311Error(400, f"{name}: longer than 200 characters")
    if address_string is not None and len(address_string) > 1000:
        raise Open311Error(400, "address_string: longer than 1000 characters")
    return NewRequest(
        service_code=service_code, lat=lat, long=long, address_string=address_string, address_id=address_id,
        description=description, media_url=media_url, attributes=attributes, contact=contact,
    )
