"""Validators for Chinese identity numbers and card numbers.

Checksums are what separate a citizen's ID number from an order number of the same
length: a pattern alone flags every 18-digit run, a validator flags only the ~1 in 11
(ID) or 1 in 10 (Luhn) that could really be one, and the region/date checks cut that further.
"""

from __future__ import annotations

import datetime as _dt

#: First two digits of a resident ID: province-level region codes (GB/T 2260), incl. 71 Taiwan,
#: 81 Hong Kong, 82 Macau (used by residence permits for those residents).
PROVINCE_CODES: frozenset[str] = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date = _dt.date(year, month, day)
    except ValueError:
        return False
    return _dt.date(1900, 1, 1) <= date <= _dt.date.today()


def valid_region(code: str) -> bool:
    """Province code known and city/county part not all zero (``110000`` is a province, not a person)."""
    return code[:2] in PROVINCE_CODES and code[2:6] != "0000"


def id_structure_ok(digits: str) -> bool:
    """18 characters with a valid region and birth date — whatever the check digit says."""
    if len(digits) != 18 or not (digits[:17].isascii() and digits[:17].isdigit()):
        return False
    return valid_region(digits[:6]) and _valid_date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))


def valid_id18(value: str) -> bool:
    """An 18-character resident ID: region, birth date and the MOD 11-2 check character all valid."""
    value = value.upper()
    return id_structure_ok(value) and value[17] in "0123456789X" and id_check_char(value[:17]) == value[17]


def valid_id15(value: str) -> bool:
    """A first-generation (1984–2004) 15-digit ID: region + YYMMDD (19YY) + 3-digit sequence, no checksum."""
    if len(value) != 15 or not (value.isascii() and value.isdigit()):
        return False
    return valid_region(value[:6]) and _valid_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check used by bank card numbers."""
    if not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_check_digit(payload: str) -> str:
    """The digit that makes ``payload + digit`` pass :func:`luhn_ok`."""
    for d in "0123456789":
        if luhn_ok(payload + d):
            return d
    raise AssertionError("unreachable: one of ten digits always completes a Luhn number")
