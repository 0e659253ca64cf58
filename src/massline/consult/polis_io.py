"""Reading Pol.is open-data exports (``comments.csv``, ``votes.csv``, ``participants-votes.csv``).

The format is the one of https://github.com/compdemocracy/openData: ``votes.csv`` has
``timestamp, datetime, comment-id, voter-id, vote`` (1 agree, -1 disagree, 0 pass, one row per
vote *event*, so a changed vote appears twice); ``comments.csv`` has ``comment-id, author-id,
moderated`` (1 accepted, 0 not yet moderated, -1 moderated out) and ``comment-body``;
``participants-votes.csv`` carries Pol.is's own ``group-id`` per participant, which we only
use as the reference to validate our groups against.

Data shown from these exports is CC BY 4.0, see :data:`POLIS_ATTRIBUTION`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from massline.consult.matrix import Vote
from massline.core.errors import MasslineError

POLIS_ATTRIBUTION = (
    "Data was gathered using the Polis software (compdemocracy.org/polis) and is sub-licensed under "
    "CC BY 4.0 with Attribution to The Computational Democracy Project. The data and more information "
    "about how the data was collected can be found at https://github.com/compdemocracy/openData"
)


@dataclass(frozen=True)
class PolisComment:
    id: int
    author: int | None
    moderated: int
    body: str
    timestamp_ms: int | None


@dataclass(frozen=True)
class PolisExport:
    """One conversation as exported by Pol.is."""

    name: str
    comments: list[PolisComment]
    votes: list[Vote]
    reference_groups: dict[int, int]
    topic: str = ""
    description: str = ""

    @property
    def moderated_out(self) -> set[int]:
        return {c.id for c in self.comments if c.moderated < 0}


def read_export(directory: Path) -> PolisExport:
    """Read an export folder; a missing file or column is a clear error naming it."""
    directory = Path(directory)
    if not directory.is_dir():
        raise MasslineError(f"--polis-export {directory}: not a folder")
    comments = [
        PolisComment(
            id=_int(row, "comment-id", directory / "comments.csv", n),
            author=_opt_int(row.get("author-id")),
            moderated=_opt_int(row.get("moderated")) or 0,
            body=row.get("comment-body") or "",
            timestamp_ms=_opt_int(row.get("timestamp")),
        )
        for n, row in _rows(directory / "comments.csv", ("comment-id", "comment-body"))
    ]
    votes = [
        Vote(
            participant=_int(row, "voter-id", directory / "votes.csv", n),
            statement=_int(row, "comment-id", directory / "votes.csv", n),
            value=_int(row, "vote", directory / "votes.csv", n),
            at=float(row.get("timestamp") or 0),
        )
        for n, row in _rows(directory / "votes.csv", ("comment-id", "voter-id", "vote"))
    ]
    reference: dict[int, int] = {}
    pv = directory / "participants-votes.csv"
    if pv.exists():
        for _, row in _rows(pv, ("participant", "group-id")):
            gid = _opt_int(row.get("group-id"))
            pid = _opt_int(row.get("participant"))
            if gid is not None and pid is not None:
                reference[pid] = gid
    topic = description = ""
    summary = directory / "summary.csv"
    if summary.exists():
        with summary.open(encoding="utf-8-sig", newline="") as fh:
            for rec in csv.reader(fh):
                if len(rec) >= 2 and rec[0] == "topic":
                    topic = rec[1]
                elif len(rec) >= 2 and rec[0] == "conversation-description":
                    description = rec[1]
    comments.sort(key=lambda c: c.id)
    return PolisExport(directory.name, comments, votes, reference, topic, description)


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    if not path.exists():
        raise MasslineError(f"{path}: missing (a Pol.is export has comments.csv and votes.csv)")
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise MasslineError(f"{path}: missing column(s) {', '.join(missing)}")
    return [(n, row) for n, row in enumerate(reader, start=2)]


def _int(row: dict[str, str], column: str, path: Path, line: int) -> int:
    value = _opt_int(row.get(column))
    if value is None:
        raise MasslineError(f"{path} row {line}: column {column!r} is not an integer ({row.get(column)!r})")
    return value


def _opt_int(text: str | None) -> int | None:
    if text is None or text.strip() == "":
        return None
    try:
        return int(float(text))
    except ValueError:
        return None
