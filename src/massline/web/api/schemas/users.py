"""Users and tokens as the API shows them (never the password hash)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class UserBase(BaseModel):
    username: str
    display_name: str | None = None
    role: str = Field(description="administrator, dispatcher, handler, analyst, editor")
    department: str | None = Field(default=None, description="Department code (handlers)")


class UserPublic(UserBase):
    id: int


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds the token stays valid")
