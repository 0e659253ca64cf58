"""Reading labelled messages in the 泰迪杯 附件2 format (CSV or XLSX) and finding the shipped split.

Own small reader on purpose: the classifier must train from a file without the intake
machinery (database, sources, dedup) being involved.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from massline.analyze.classify.text import classifier_text
from massline.core.errors import InputError

TITLE_COLUMN = "留言主题"
BODY_COLUMN = "留言详情"
LABEL_COLUMNS = ("一级标签", "一级分类")
#: the 7 一级标签 of the 泰迪杯 2020 C题 data, in the organisers' order
CATEGORIES = ("城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生")
TRAIN_FILE = "fj2_train.csv"
DEV_FILE = "fj2_dev.csv"
SHARED_DATA_ENV = "MASSLINE_SHARED_DATA"


@dataclass(frozen=True)
class Example:
    """One labelled message: classifier text and its 一级标签."""

    text: str
    label: str


@dataclass
class LabelledFile:
    """What one file yielded: examples, the rows skipped with the reason, and the file's sha256."""

    path: Path
    examples: list[Example] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    sha256: str = ""


def read_labelled(path: Path | str) -> LabelledFile:
    """Labelled examples from a 附件2-style CSV/XLSX (label column 一级标签 or 一级分类).

    Rows with neither title nor body, or without a label, are not silently dropped: each is
    listed in ``skipped`` with its row number and the field that is missing.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", origin=str(path))
    result = LabelledFile(path=path, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    rows = _xlsx_rows(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else _csv_rows(path)
    header = [str(h or "").strip().lstrip("\ufeff") for h in next(rows, [])]
    label_col = next((c for c in LABEL_COLUMNS if c in header), None)
    if label_col is None:
        raise InputError(f"no label column (expected one of {', '.join(LABEL_COLUMNS)}; found {header})",
                         origin=str(path), field="一级标签")
    if BODY_COLUMN not in header and TITLE_COLUMN not in header:
        raise InputError("no text column", origin=str(path), field=BODY_COLUMN)
    index = {name: i for i, name in enumerate(header)}
    for number, row in enumerate(rows, start=2):
        cells = ["" if c is None else str(c) for c in row]
        if not any(c.strip() for c in cells):
            continue  # blank spreadsheet row: not a message
        def cell(name: str, cells: list[str] = cells) -> str:
            i = index.get(name)
            return cells[i] if i is not None and i < len(cells) else ""
        text = classifier_text(cell(TITLE_COLUMN), cell(BODY_COLUMN))
        label = cell(label_col).strip()
        if not text:
            result.skipped.append(f"row {number}: field {BODY_COLUMN!r} and {TITLE_COLUMN!r} are empty")
        elif not label:
            result.skipped.append(f"row {number}: field {label_col!r} is empty")
        else:
            result.examples.append(Example(text, label))
    return result


def _csv_rows(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.reader(handle)


def _xlsx_rows(path: Path) -> Iterator[Sequence[object]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def examples_sha256(examples: Iterable[Example]) -> str:
    """Hash of the training examples themselves (text + label, in order), so the model version
    changes exactly when what it learned from changes, whatever file format carried it."""
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(ex.label.encode())
        digest.update(b"\t")
        digest.update(ex.text.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def shared_data_file(name: str) -> Path:
    """A file of the shipped 泰迪杯 split: ``$MASSLINE_SHARED_DATA/taidi2020/<name>``, else
    ``shared/data/taidi2020/<name>`` beside the working directory or the source checkout."""
    env = os.environ.get(SHARED_DATA_ENV)
    candidates: list[Path] = []
    if env:
        candidates += [Path(env) / "taidi2020" / name, Path(env) / name]
    for start in (Path.cwd().resolve(), Path(__file__).resolve().parent):
        candidates += [parent / "shared" / "data" / "taidi2020" / name for parent in (start, *start.parents)]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise InputError(f"shipped data file {name} not found; set {SHARED_DATA_ENV} to the shared data folder "
                     "(the one holding taidi2020/) or pass --data PATH", origin=name)
