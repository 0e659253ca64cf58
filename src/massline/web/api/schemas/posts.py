"""Request and response bodies of the posts API (``/api/posts``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Kind = Literal["notice", "explainer", "reply", "correction"]


class PostCreate(BaseModel):
    kind: Kind
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=100_000, description="Markdown; rendered and sanitised on output.")
    topics: list[str] = Field(default_factory=list, max_length=10)
    districts: list[str] = Field(default_factory=list, max_length=10)
    corrects_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class PostEdit(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, max_length=100_000)
    topics: list[str] | None = Field(default=None, max_length=10)
    districts: list[str] | None = Field(default=None, max_length=10)
    note: str | None = Field(default=None, max_length=500)


class PublishIn(BaseModel):
    at: datetime | None = Field(default=None, description="Publish at this time (ISO 8601; default now).")
    until: datetime | None = Field(default=None, description="Archive at this time.")


class ReasonBody(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class NoteBody(BaseModel):
    note: str | None = Field(default=None, max_length=500)


class PiiOut(BaseModel):
    found: dict[str, int]
    waived: str | None
    blocking: bool


class PostOut(BaseModel):
    id: int
    kind: str
    status: str
    title: str
    body: str
    topics: list[str]
    districts: list[str]
    author: str
    reviewer: str | None
    revision: int
    work_order_id: int | None
    corrects_id: int | None
    created_at: datetime
    updated_at: datetime
    publish_at: datetime | None
    unpublish_at: datetime | None
    published_at: datetime | None
    archived_at: datetime | None
    pii: PiiOut


class RevisionOut(BaseModel):
    number: int
    title: str
    body: str
    topics: list[str]
    districts: list[str]
    author: str
    note: str | None
    at: datetime
    diff: list[tuple[str, str]] = Field(description="Line diff against the previous revision: (op, line).")
