"""Bytes → text for every reader: UTF-8 first (a BOM is fine), GB18030 as the fallback.

Why GB18030 and not GBK: it is a superset of GBK and GB2312, so every legacy Chinese file
decodes with it, while UTF-8 is tried first because it almost never decodes non-UTF-8
bytes by accident. Binary junk (NUL bytes, or bytes neither codec accepts) is refused with
a clear error instead of being turned into mojibake.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

from massline.core.errors import InputError

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-8-sig" or "gb18030"


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return bool(head) and controls / len(head) > 0.05


def decode_bytes(data: bytes, *, origin: str = "", keep_bom: bool = False) -> Decoded:
    """Decode ``data``; ``keep_bom=True`` keeps a leading U+FEFF so the text round-trips byte for byte."""
    if _looks_binary(data):
        raise InputError("binary content (NUL or control bytes), not text", origin=origin)
    try:
        if data.startswith(UTF8_BOM) and not keep_bom:
            return Decoded(data.decode("utf-8-sig"), "utf-8-sig")
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("gb18030"), "gb18030")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"neither UTF-8 nor GB18030 text (undecodable byte at offset {exc.start})", origin=origin
        ) from None


@dataclass(frozen=True, slots=True)
class FileScan:
    """What one pass over a file's bytes found: its content key, size and encoding (or why it is not text)."""

    sha256: str
    size: int
    encoding: str  # as decode_bytes would choose: "utf-8", "utf-8-sig" or "gb18030"; "" when not text
    problem: InputError | None = None


def scan_file(path: Path, *, origin: str = "", block: int = 1 << 20) -> FileScan:
    """Hash ``path`` and choose its encoding the way :func:`decode_bytes` would, reading ``block`` bytes at a time.

    Why not decode_bytes: a million-row file must never be in memory as a whole. Incremental
    decoders validate UTF-8 (then GB18030) over the whole file without keeping any text.
    """
    digest, size = hashlib.sha256(), 0
    utf8 = codecs.getincrementaldecoder("utf-8")()
    utf8_ok, head = True, b""
    with path.open("rb") as f:
        while chunk := f.read(block):
            if not head:
                head = chunk[:8192]
            digest.update(chunk)
            size += len(chunk)
            if utf8_ok:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if _looks_binary(head):
        return FileScan(digest.hexdigest(), size, "", InputError("binary content (NUL or control bytes), not text",
                                                                 origin=origin))
    if utf8_ok:
        return FileScan(digest.hexdigest(), size, "utf-8-sig" if head.startswith(UTF8_BOM) else "utf-8")
    gb = codecs.getincrementaldecoder("gb18030")()
    offset = 0
    with path.open("rb") as f:
        while chunk := f.read(block):
            try:
                gb.decode(chunk)
            except UnicodeDecodeError as exc:
                return FileScan(digest.hexdigest(), size, "", InputError(
                    f"neither UTF-8 nor GB18030 text (undecodable byte at offset {offset + exc.start})", origin=origin))
            offset += len(chunk)
        try:
            gb.decode(b"", final=True)
        except UnicodeDecodeError:
            return FileScan(digest.hexdigest(), size, "", InputError(
                f"neither UTF-8 nor GB18030 text (truncated character at offset {offset})", origin=origin))
    return FileScan(digest.hexdigest(), size, "gb18030")
