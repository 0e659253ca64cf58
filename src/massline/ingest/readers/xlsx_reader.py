"""XLSX workbooks (openpyxl): the first sheet with a header row; cells read as text.

Cells are turned into the text a CSV export of the sheet would contain (``24`` not
``24.0``, dates as ``2020-01-06 12:09:38``), so the same row has the same canonical form
whether it arrives as XLSX or CSV. Trailing blank rows (the official sample has 64,707 of
them) are skipped, not reported.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

import openpyxl

from massline.core.errors import InputError
from massline.ingest.readers.csv_reader import unique_headers
from massline.ingest.records import RawRecord, ReadItem, ReadProblem


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def read_xlsx(data: bytes, origin: str) -> Iterator[ReadItem]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise InputError(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})", origin=origin) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        headers: list[str] | None = None
        row_no = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                break
            except Exception as exc:  # XML ParseError, zlib errors…: keep the rows before the damage
                reason = f"workbook truncated or corrupt here ({type(exc).__name__}: {exc})"
                yield ReadProblem(f"row {row_no + 1}", reason)
                break
            row_no += 1
            cells = [cell_text(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            if headers is None:
                headers = unique_headers(cells)
                continue
            if any(c.strip() for c in cells[len(headers) :]):
                reason = f"{len(cells)} cells but only {len(headers)} headed columns"
                yield ReadProblem(f"row {row_no}", reason, content="\t".join(cells))
                continue
            cells = cells[: len(headers)] + [""] * (len(headers) - len(cells))
            yield RawRecord(f"row {row_no}", dict(zip(headers, cells, strict=True)))
        if headers is None:
            raise InputError("empty workbook: no header row in the first sheet", origin=origin)
    finally:
        workbook.close()
