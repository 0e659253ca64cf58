"""Post attachments (images, PDF): the type is read from the bytes, never from the name or the browser.

Why: an uploaded "photo.jpg" may be HTML or a script; serving it back with a sniffed type would
let it run on our origin. Only PNG, JPEG, GIF, WebP and PDF magic numbers are accepted, the stored
name is reduced to safe characters, the size is capped, and the public route serves the bytes with
``nosniff`` and a ``default-src 'none'`` policy.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

from sqlalchemy.orm import Session

from massline.core.errors import InputError
from massline.db.models.publish import Post, PostAttachment
from massline.db.repositories.audit import record_audit

MAX_BYTES: Final = 5_000_000
_SAFE_NAME: Final = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def sniff(data: bytes) -> str | None:
    """The content type proven by the first bytes, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def add_attachment(session: Session, post: Post, *, filename: str, data: bytes, actor: str) -> PostAttachment:
    if not data:
        raise InputError("the file is empty", field="file")
    if len(data) > MAX_BYTES:
        raise InputError(f"larger than {MAX_BYTES // 1_000_000} MB", field="file")
    kind = sniff(data)
    if kind is None:
        raise InputError("only PNG, JPEG, GIF, WebP images and PDF files are accepted", field="file")
    name = _SAFE_NAME.sub("_", filename or "file").strip("._")[:100] or "file"
    row = PostAttachment(post_id=post.id, filename=name, content_type=kind, size=len(data),
                         sha256=hashlib.sha256(data).hexdigest(), data=data)
    session.add(row)
    session.flush()
    record_audit(session, actor=actor, action="post.attach", object_type="post", object_id=post.id,
                 detail={"attachment": row.id, "type": kind, "size": len(data)})
    return row
