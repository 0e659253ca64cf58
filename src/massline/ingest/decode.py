"""Bytes → text for every reader: UTF-8 first (a BOM is fine), GB18030 as the fallback.

Why GB18030 and not GBK: it is a superset of GBK and GB2312, so every legacy Chinese file
decodes with it, while UTF-8 is tried first because it almost never decodes non-UTF-8
bytes by accident. Binary junk (NUL bytes, or bytes neither codec accepts) is refused with
a clear error instead of being turned into mojibake.
"""

from __future__ import annotations

from dataclasses import dataclass

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
