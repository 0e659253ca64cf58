"""CSV/TSV files: a header row, one record per following row (multi-line cells allowed).

Rows are numbered like a spreadsheet (the header is row 1), so a reported "row 7" is the
row a person sees when opening the file in Excel/LibreOffice.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

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


def _read(data: bytes, origin: str, delimiter: str) -> Iterator[ReadItem]:
    decoded = decode_bytes(data, origin=origin)
    reader = csv.reader(io.StringIO(decoded.text, newline=""), delimiter=delimiter)
    try:
        header_cells = next(reader)
    except StopIteration:
        raise InputError("empty file: no header row", origin=origin) from None
    except csv.Error as exc:
        raise InputError(f"unreadable header row: {exc}", origin=origin) from None
    headers = unique_headers(header_cells)
    meta = {"encoding": decoded.encoding} if decoded.encoding == "gb18030" else {}
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


def read_csv(data: bytes, origin: str) -> Iterator[ReadItem]:
    return _read(data, origin, ",")


def read_tsv(data: bytes, origin: str) -> Iterator[ReadItem]:
    return _read(data, origin, "\t")
