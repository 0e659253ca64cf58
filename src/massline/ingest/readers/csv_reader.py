"""CSV/TSV files: a header row, one record per following row (multi-line cells allowed).

Rows are numbered like a spreadsheet (the header is row 1), so a reported "row 7" is the
row a person sees when opening the file in Excel/LibreOffice.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import TextIO

from massline.core.errors import InputError
from massline.ingest.decode import decode_bytes
from massline.ingest.records import RawRecord, ReadItem, ReadProblem

csv.field_size_limit(64 * 1024 * 1024)  # a huge but legitimate cell is data, not an error


def unique_headers(cells: list[str]) -> list[str]:
    """Header names stripped, with blanks and repeats made unique so no column overwrites another."""
    names: list[str] = []
    for i, cell in enumerate(cells, start=1):
        name = (cell or "").strip().lstrip("\ufeff") or f"column {i}"
        base, n = name, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


def read_text(stream: TextIO, origin: str, delimiter: str = ",", encoding: str = "utf-8") -> Iterator[ReadItem]:
    """Records of a decoded CSV/TSV text stream (opened with ``newline=""``), read row by row, so a file
    of any size needs memory for one row; ``encoding`` is what the bytes were decoded with."""
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header_cells = next(reader)
    except StopIteration:
        raise InputError("empty file: no header row", origin=origin) from None
    except csv.Error as exc:
        raise InputError(f"unreadable header row: {exc}", origin=origin) from None
    headers = unique_headers(header_cells)
    meta = {"encoding": encoding} if encoding == "gb18030" else {}
    row_no = 1
    while True:
        row_no += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ReadProblem(f"row {row_no}", f"broken CSV line {reader.line_num}: {exc}")
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(headers):
            yield ReadProblem(
                f"row {row_no}",
                f"expected {len(headers)} fields, found {len(cells)} (broken CSV line, ends at line {reader.line_num})",
                content=delimiter.join(cells),
            )
            continue
        yield RawRecord(f"row {row_no}", dict(zip(headers, cells, strict=True)), meta=dict(meta))


def _read(data: bytes, origin: str, delimiter: str) -> Iterator[ReadItem]:
    decoded = decode_bytes(data, origin=origin)
    yield from read_text(io.StringIO(decoded.text, newline=""), origin, delimiter, decoded.encoding)


def read_csv(data: bytes, origin: str) -> Iterator[ReadItem]:
    return _read(data, origin, ",")


def read_tsv(data: bytes, origin: str) -> Iterator[ReadItem]:
    return _read(data, origin, "\t")


def read_csv_text(stream: TextIO, origin: str, encoding: str) -> Iterator[ReadItem]:
    return read_text(stream, origin, ",", encoding)


def read_tsv_text(stream: TextIO, origin: str, encoding: str) -> Iterator[ReadItem]:
    return read_text(stream, origin, "\t", encoding)
