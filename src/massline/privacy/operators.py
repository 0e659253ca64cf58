"""What happens to a piece of personal data on its way out: mask, replace, hash, encrypt.

* ``mask`` keeps a few leading/trailing characters (110***********1234, 138****8000) so a
  citizen recognises their own number but nobody else learns it;
* ``replace`` puts a type tag (``<身份证号>``) instead;
* ``hash`` gives a keyed pseudonym (HMAC-SHA256 with the installation secret): the same
  number always gives the same token, so an analyst can link messages of one person
  without being able to recover the number, and nobody without the secret can test guesses;
* ``encrypt`` is reversible (Fernet, key derived from the installation secret) for files and
  views that roles allowed to see raw data may later :func:`reveal`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

from massline.core.errors import InputError
from massline.privacy.normalize import fold_width

OPERATORS = ("mask", "replace", "hash", "encrypt", "keep")

ZH_TAGS = {
    "ID_CARD": "身份证号", "PHONE": "电话", "BANK_CARD": "银行卡号", "EMAIL": "邮箱", "LICENSE_PLATE": "车牌",
    "PASSPORT": "护照号", "PERMIT": "通行证号", "PERSON": "姓名", "ADDRESS": "地址", "SOCIAL_ID": "社交账号",
}
#: (leading, trailing) significant characters kept by ``mask``.
KEEP = {
    "ID_CARD": (3, 4), "PHONE": (3, 4), "BANK_CARD": (4, 4), "PASSPORT": (1, 2), "PERMIT": (1, 2),
    "LICENSE_PLATE": (2, 1), "SOCIAL_ID": (2, 1), "PERSON": (1, 0),
}
_SIGNIFICANT = re.compile(r"[0-9A-Za-z\u4e00-\u9fa5０-９Ａ-Ｚａ-ｚ]")
_TITLE = re.compile(r"(?:先生|女士|小姐|老师|阿姨|师傅|大爷|大妈|大姐|大哥|同学|医生|律师|老板|经理)$")
_ADDRESS_NUMBER = re.compile(r"[0-9A-Za-z０-９一二三四五六七八九十百零〇]")
#: Encrypted values in text: ⟦TYPE:fernet-token⟧.
TOKEN_RE = re.compile(r"⟦([A-Z_]+):([A-Za-z0-9_\-=]+)⟧")


def mask(value: str, entity: str) -> str:
    """Star out all but a few characters; separators and a name's title stay readable."""
    if entity == "EMAIL" and "@" in value:
        local, _, domain = value.partition("@")
        return local[:1] + "*" * max(1, len(local) - 1) + "@" + domain
    if entity == "ADDRESS":
        m = _ADDRESS_NUMBER.search(value)
        return (value[: m.start()] if m else value[:2]) + "***"
    suffix = ""
    if entity == "PERSON":
        t = _TITLE.search(value)
        if t and t.start() > 0:
            value, suffix = value[: t.start()], t.group()
    lead, trail = KEEP.get(entity, (1, 1))
    positions = [i for i, ch in enumerate(value) if _SIGNIFICANT.match(ch)]
    if len(positions) <= lead + trail:
        lead, trail = min(lead, max(0, len(positions) - 1)), 0
    hidden = set(positions[lead : len(positions) - trail])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(value)) + suffix


def replace(entity: str, *, style: str = "zh") -> str:
    """A type tag: ``<身份证号>`` (zh) or ``[ID_CARD]`` (en)."""
    return f"<{ZH_TAGS.get(entity, entity)}>" if style == "zh" else f"[{entity}]"


def canonical(value: str) -> str:
    """The form hashed: width-folded, separators and +86 dropped, upper case.

    So ``138-0013-8000``, ``+86 138 0013 8000`` and ``１３８００１３８０００`` give one pseudonym.
    """
    v = re.sub(r"[\s\-()·•.]", "", fold_width(value)).upper()
    return re.sub(r"^(?:\+86|0086)(?=1\d{10}$)", "", v)


@lru_cache(maxsize=8)
def _hash_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"massline.privacy.hash", hashlib.sha256).digest()


@lru_cache(maxsize=8)
def _fernet(secret: str) -> Fernet:
    raw = hmac.new(secret.encode(), b"massline.privacy.fernet", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(raw))


def pseudonym(value: str, entity: str, secret: str) -> str:
    """Keyed hash of the canonical value: stable per installation, meaningless elsewhere."""
    digest = hmac.new(_hash_key(secret), f"{entity}:{canonical(value)}".encode(), hashlib.sha256).hexdigest()
    return f"<{ZH_TAGS.get(entity, entity)}#{digest[:12]}>"


def encrypt(value: str, entity: str, secret: str) -> str:
    """Reversible token ``⟦TYPE:…⟧``; only :func:`decrypt_tokens` with the same secret opens it."""
    return f"⟦{entity}:{_fernet(secret).encrypt(value.encode()).decode()}⟧"


def decrypt_tokens(text: str, secret: str) -> str:
    """Every ``⟦TYPE:token⟧`` in ``text`` replaced by the value it encrypts."""

    def _open(m: re.Match[str]) -> str:
        try:
            return _fernet(secret).decrypt(m.group(2).encode()).decode()
        except InvalidToken as exc:
            raise InputError("token was not made with this installation's secret (or was altered)",
                             field="text") from exc

    return TOKEN_RE.sub(_open, text)


def apply(operator: str, value: str, entity: str, *, secret: str | None = None) -> str:
    """Run ``operator`` on one value; ``hash``/``encrypt`` need the installation secret."""
    if operator == "mask":
        return mask(value, entity)
    if operator == "replace":
        return replace(entity)
    if operator == "keep":
        return value
    if operator in ("hash", "encrypt"):
        if not secret:
            raise InputError(f"operator {operator!r} needs the installation secret", field="secret")
        return pseudonym(value, entity, secret) if operator == "hash" else encrypt(value, entity, secret)
    raise InputError(f"unknown operator {operator!r}; known: {', '.join(OPERATORS)}", field="operator")
