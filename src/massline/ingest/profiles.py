"""Column mapping: which input column becomes which message field, and the built-in profiles.

A profile maps source columns to *targets*: ``external_id, author, title, body, created_at,
url`` (message fields), ``label, likes, dislikes, reply, reply_time`` (well-known ``meta``
keys with a type) or ``meta.<name>`` (kept as is). ``--map 标题=title`` overrides single
columns. Columns no profile knows are not dropped: they go to ``meta["fields"]``, and the
row itself is stored verbatim as a raw item anyway.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from massline.core.errors import InputError
from massline.ingest.dates import CHINA_TZ, parse_datetime
from massline.ingest.records import RawRecord, ReadProblem

TEXT_TARGETS = frozenset({"external_id", "author", "title", "body", "url", "label", "reply"})
DATE_TARGETS = frozenset({"created_at", "reply_time"})
INT_TARGETS = frozenset({"likes", "dislikes"})
TARGETS = TEXT_TARGETS | DATE_TARGETS | INT_TARGETS
META_TARGETS = ("url", "label", "reply", "likes", "dislikes", "reply_time")


@dataclass(frozen=True)
class Profile:
    """A named column mapping; ``signature`` columns identify its files when auto-detecting."""

    name: str
    columns: Mapping[str, str]
    signature: frozenset[str] = frozenset()
    tz: timezone = CHINA_TZ
    case_insensitive: bool = False

    def target_of(self, column: str) -> str | None:
        key = column.strip().lower() if self.case_insensitive else column.strip()
        return self.columns.get(key)

    def with_mapping(self, mapping: Mapping[str, str]) -> Profile:
        if not mapping:
            return self
        columns = dict(self.columns)
        columns.update({k.lower() if self.case_insensitive else k: v for k, v in mapping.items()})
        return Profile(self.name + "+map", columns, self.signature, self.tz, self.case_insensitive)


#: 泰迪杯 2020 C题 附件2/3/4 (and the official samples, whose label column is 一级分类).
TAIDI = Profile(
    "taidi",
    {
        "留言编号": "external_id",
        "留言用户": "author",
        "留言主题": "title",
        "留言时间": "created_at",
        "留言详情": "body",
        "一级标签": "label",
        "一级分类": "label",
        "点赞数": "likes",
        "反对数": "dislikes",
        "答复意见": "reply",
        "答复时间": "reply_time",
    },
    signature=frozenset({"留言详情"}),
)

#: Common English names (JSONL, generic CSV) and the fields the text/HTML/feed readers emit.
GENERIC = Profile(
    "generic",
    {
        **{k: "external_id" for k in ("id", "external_id", "guid", "message_id")},
        **{k: "title" for k in ("title", "subject", "标题", "主题")},
        **{k: "body" for k in ("body", "text", "content", "message", "description", "正文", "内容")},
        **{k: "created_at" for k in ("created_at", "date", "time", "published", "timestamp", "时间")},
        **{k: "author" for k in ("author", "user", "username", "用户")},
        **{k: "url" for k in ("url", "link")},
        **{k: "label" for k in ("label", "category", "标签", "分类")},
    },
    case_insensitive=True,
)

PROFILES: dict[str, Profile] = {p.name: p for p in (TAIDI, GENERIC)}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise InputError(f"unknown profile {name!r}; known: {', '.join(PROFILES)}", field="--profile") from None


def detect_profile(columns: Iterable[str]) -> Profile:
    """The built-in profile whose signature columns are all present, else the generic one."""
    present = {c.strip() for c in columns}
    for profile in PROFILES.values():
        if profile.signature and profile.signature <= present:
            return profile
    return GENERIC


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """``["标题=title", "正文=body", "楼层=meta.floor"]`` → ``{"标题": "title", …}`` (validated)."""
    mapping: dict[str, str] = {}
    for item in items:
        column, sep, target = item.partition("=")
        column, target = column.strip(), target.strip()
        if not sep or not column or not target:
            raise InputError(f"mapping {item!r} is not COLUMN=TARGET", field="--map")
        if target not in TARGETS and not (target.startswith("meta.") and len(target) > 5):
            raise InputError(
                f"unknown target {target!r} in {item!r}; use one of {', '.join(sorted(TARGETS))} or meta.NAME",
                field="--map",
            )
        mapping[column] = target
    return mapping


@dataclass(slots=True)
class MappedRecord:
    """A record in message terms, before cleaning."""

    body: str
    title: str | None = None
    external_id: str | None = None
    author: str | None = None
    created_at: datetime | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class _Bad(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


def _text(column: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise _Bad(column, f"expected text, found {type(value).__name__}")
    return str(value)  # numbers (a JSON id like 24) are fine as text


def _int(column: str, value: Any) -> int | None:
    if isinstance(value, bool):
        raise _Bad(column, "expected a whole number, found a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace(",", "")
    if not text:
        return None
    try:
        return int(float(text)) if text.endswith(".0") else int(text)
    except ValueError:
        raise _Bad(column, f"expected a whole number, found {str(value)[:40]!r}") from None


def content_id(record: RawRecord) -> str:
    """A stable id for a record that has no id of its own: a hash of its content."""
    return "h:" + hashlib.sha1(record.canonical_bytes()).hexdigest()[:16]


def map_record(record: RawRecord, profile: Profile) -> MappedRecord | ReadProblem:
    """Apply ``profile`` to one record; a value of the wrong kind becomes a :class:`ReadProblem`."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    extra: dict[str, Any] = {}
    meta: dict[str, Any] = dict(record.meta)
    try:
        for column, raw in record.fields.items():
            target = profile.target_of(column)
            if target is None:
                if raw not in ("", None):
                    extra[column] = raw
                continue
            if target.startswith("meta."):
                meta[target[5:]] = raw
                continue
            if target in DATE_TARGETS:
                try:
                    value: Any = parse_datetime(raw, tz=profile.tz) if raw not in ("", None) else None
                except ValueError as exc:
                    raise _Bad(column, str(exc)) from None
            elif target in INT_TARGETS:
                value = None if raw in ("", None) else _int(column, raw)
            elif target == "body" and raw is not None and not isinstance(raw, str):
                raise _Bad(column, f"expected text, found {type(raw).__name__}")
            else:
                value = None if raw is None else _text(column, raw)
                if target != "body" and value is not None:
                    value = value.strip() or None
            if value is not None and values.get(target) in (None, ""):
                values[target], sources[target] = value, column
            sources.setdefault(target, column)
    except _Bad as bad:
        return ReadProblem(record.locator, bad.reason, field=bad.column)
    body = values.get("body")
    if not isinstance(body, str) or not body.strip():
        column = sources.get("body", "body")
        reason = "required field is empty"
        if "body" not in sources:
            reason = "no column is mapped to body (use --map COLUMN=body)"
        return ReadProblem(record.locator, reason, field=column)
    for key in META_TARGETS:
        if values.get(key) is not None:
            v = values[key]
            meta[key] = v.isoformat() if isinstance(v, datetime) else v
    if extra:
        meta["fields"] = extra
    return MappedRecord(
        body=body,
        title=values.get("title"),
        external_id=values.get("external_id") or content_id(record),
        author=values.get("author"),
        created_at=values.get("created_at"),
        meta=meta,
    )
