"""Messages as staff see them: masked for their role; the raw text only through the audited raw view."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class MessageBase(BaseModel):
    title: str | None = None
    body: str = Field(description="Masked for the caller's role")


class MessagePublic(MessageBase):
    id: int
    source: str | None = None
    external_id: str | None = None
    created_at: datetime | None = None
    received_at: datetime
    status: str
    language: str | None = None
    duplicate_of: int | None = None


class MessagePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[MessagePublic]


class MessageRaw(BaseModel):
    id: int
    original: str = Field(description="The verbatim text, personal data included (administrators; audited)")
