"""Consultations as the web pages and the CLI use them: create, vote, submit, moderate, results.

Why results are cached per process: the opinion maths is recomputed in full only on demand or
after :data:`massline.consult.analysis.REFIT_EVERY` votes; between those, each vote updates
the cached :class:`~massline.consult.analysis.IncrementalAnalyzer` in bounded time. The cache is
rebuilt from the database whenever it is missing or the vote count disagrees (another process
voted), so the database stays the one source of truth.

Privacy: participants are pseudonymous (only the SHA-256 of their cookie token is stored);
statements pass the personal-data check before they are stored, and everything shown or
exported goes through ``mask_text``. Results are aggregate only — no function here returns an
individual's votes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from massline.consult.analysis import Analysis, IncrementalAnalyzer
from massline.consult.matrix import Vote
from massline.consult.polis_io import PolisExport
from massline.core.errors import InputError, NotFoundError
from massline.db.models.consult import (
    Consultation,
    ConsultParticipant,
    ConsultStatement,
    ConsultVote,
    ConsultVoteEvent,
)
from massline.privacy import find_pii, mask_text

VOTE_VALUES = {"agree": 1, "disagree": -1, "pass": 0}
STATEMENT_MIN, STATEMENT_MAX = 4, 280
#: Rate limits per participant (a person votes a few times a minute at most; scripts do not).
MAX_VOTES_PER_MINUTE = 30
MAX_STATEMENTS_PER_HOUR = 5


def _utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def now() -> datetime:
    return datetime.now(UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _slugify(title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40]
    return f"{base or 'c'}-{secrets.token_hex(3)}"


def create_consultation(session: Session, *, title: str, question: str, background_md: str = "",
                        opens_at: datetime | None = None, closes_at: datetime | None = None,
                        moderation: str = "post", languages: list[str] | None = None,
                        seeds: list[str] | None = None, slug: str | None = None, created_by: str = "system",
                        source: str = "massline", attribution: str = "") -> Consultation:
    """A new consultation with its seed statements (seeds are accepted: the organiser wrote them)."""
    if not title.strip():
        raise InputError("must not be empty", field="title")
    if not question.strip():
        raise InputError("must not be empty", field="question")
    if moderation not in ("pre", "post"):
        raise InputError("must be 'pre' or 'post'", field="moderation")
    opens, closes = _utc(opens_at), _utc(closes_at)
    if opens and closes and closes <= opens:
        raise InputError("must be after opens_at", field="closes_at")
    c = Consultation(slug=slug or _slugify(title), title=title.strip(), question=question.strip(),
                     background_md=background_md, opens_at=opens, closes_at=closes, moderation=moderation,
                     languages=languages or ["zh"], created_by=created_by, source=source, attribution=attribution)
    session.add(c)
    session.flush()
    for body in seeds or []:
        if body.strip():
            session.add(ConsultStatement(consultation_id=c.id, body=body.strip(), is_seed=True, status="accepted"))
    session.flush()
    return c


def get_consultation(session: Session, slug: str) -> Consultation:
    c = session.scalar(select(Consultation).where(Consultation.slug == slug))
    if c is None:
        raise NotFoundError(f"consultation {slug!r} not found")
    return c


def list_consultations(session: Session) -> list[Consultation]:
    return list(session.scalars(select(Consultation).order_by(Consultation.created_at.desc())))


def is_open(c: Consultation, at: datetime | None = None) -> bool:
    at = at or now()
    opens, closes = _utc(c.opens_at), _utc(c.closes_at)
    return (opens is None or opens <= at) and (closes is None or at < closes)


def participant(session: Session, c: Consultation, token: str, user_id: int | None = None) -> ConsultParticipant:
    """The participant behind a cookie token (created on first use)."""
    h = token_hash(token)
    p = session.scalar(select(ConsultParticipant).where(ConsultParticipant.consultation_id == c.id,
                                                        ConsultParticipant.token_hash == h))
    if p is None:
        p = ConsultParticipant(consultation_id=c.id, token_hash=h, user_id=user_id)
        session.add(p)
        session.flush()
    elif user_id is not None and p.user_id is None:
        p.user_id = user_id
    return p


def cast_vote(session: Session, c: Consultation, p: ConsultParticipant, statement_id: int, vote: str | int,
              at: datetime | None = None, check_rate: bool = True) -> ConsultVote:
    """Record (or change) a vote; the change is kept in the event history."""
    value = VOTE_VALUES.get(vote) if isinstance(vote, str) else vote
    if value not in (-1, 0, 1):
        raise InputError("must be agree, disagree or pass", field="vote")
    if not is_open(c, at):
        raise InputError("this consultation is not open for voting", field="consultation")
    st = session.get(ConsultStatement, statement_id)
    if st is None or st.consultation_id != c.id or st.status != "accepted":
        raise InputError("no such statement in this consultation", field="statement_id")
    at = at or now()
    if check_rate:
        recent = session.scalar(select(func.count()).select_from(ConsultVoteEvent).where(
            ConsultVoteEvent.participant_id == p.id, ConsultVoteEvent.cast_at >= at - timedelta(minutes=1)))
        if (recent or 0) >= MAX_VOTES_PER_MINUTE:
            raise InputError("too many votes in a minute; please slow down", field="vote")
    session.add(ConsultVoteEvent(consultation_id=c.id, participant_id=p.id, statement_id=st.id, value=value,
                                 cast_at=at))
    current = session.scalar(select(ConsultVote).where(ConsultVote.participant_id == p.id,
                                                       ConsultVote.statement_id == st.id))
    if current is None:
        current = ConsultVote(consultation_id=c.id, participant_id=p.id, statement_id=st.id, value=value,
                              updated_at=at)
        session.add(current)
    else:
        current.value, current.updated_at = value, at
    session.flush()
    _note_vote(c.id, p.id, st.id, value)
    return current


def submit_statement(session: Session, c: Consultation, p: ConsultParticipant, body: str,
                     language: str = "zh") -> ConsultStatement:
    """A participant's statement: length, personal-data and rate checks, then pending or accepted."""
    text = " ".join((body or "").split())
    if len(text) < STATEMENT_MIN:
        raise InputError(f"too short (at least {STATEMENT_MIN} characters)", field="body")
    if len(text) > STATEMENT_MAX:
        raise InputError(f"too long (at most {STATEMENT_MAX} characters)", field="body")
    if not is_open(c):
        raise InputError("this consultation is not open", field="consultation")
    found = find_pii(text)
    if found:
        kinds = ", ".join(sorted({f.type for f in found}))
        raise InputError(f"contains personal data ({kinds}); please remove it", field="body")
    hour_ago = now() - timedelta(hours=1)
    recent = session.scalar(select(func.count()).select_from(ConsultStatement).where(
        ConsultStatement.author_participant_id == p.id, ConsultStatement.created_at >= hour_ago))
    if (recent or 0) >= MAX_STATEMENTS_PER_HOUR:
        raise InputError("too many statements in an hour; please wait", field="body")
    st = ConsultStatement(consultation_id=c.id, body=text, language=language, author_participant_id=p.id,
                          status="pending" if c.moderation == "pre" else "accepted")
    session.add(st)
    session.flush()
    _CACHE.pop(c.id, None)
    return st


def moderate(session: Session, st: ConsultStatement, status: str, reason: str = "") -> ConsultStatement:
    """Accept or reject (reversible: rejected statements are kept, just not shown or counted)."""
    if status not in ("accepted", "rejected", "pending"):
        raise InputError("must be accepted, rejected or pending", field="status")
    st.status, st.moderation_reason = status, reason or None
    session.flush()
    _CACHE.pop(st.consultation_id, None)
    return st


def next_statement(session: Session, c: Consultation, p: ConsultParticipant) -> ConsultStatement | None:
    """The accepted statement this participant has not voted on that has the fewest votes so far."""
    voted = select(ConsultVote.statement_id).where(ConsultVote.participant_id == p.id)
    counts = (select(ConsultVote.statement_id, func.count().label("n")).where(ConsultVote.consultation_id == c.id)
              .group_by(ConsultVote.statement_id).subquery())
    q = (select(ConsultStatement).outerjoin(counts, counts.c.statement_id == ConsultStatement.id)
         .where(ConsultStatement.consultation_id == c.id, ConsultStatement.status == "accepted",
                ConsultStatement.id.not_in(voted))
         .order_by(func.coalesce(counts.c.n, 0), ConsultStatement.id).limit(1))
    return session.scalar(q)


def accepted_statements(session: Session, c: Consultation) -> dict[int, ConsultStatement]:
    rows = session.scalars(select(ConsultStatement).where(ConsultStatement.consultation_id == c.id,
                                                          ConsultStatement.status == "accepted")
                           .order_by(ConsultStatement.id))
    return {s.id: s for s in rows}


# ---------------------------------------------------------------- results (cached per process)

_CACHE: dict[int, IncrementalAnalyzer] = {}
_LOCK = threading.Lock()


def _note_vote(cid: int, pid: int, sid: int, value: int) -> None:
    with _LOCK:
        an = _CACHE.get(cid)
        if an is not None:
            an.add_vote(pid, sid, value)


def results(session: Session, c: Consultation, refresh: bool = False) -> Analysis:
    """The current analysis (incrementally maintained; ``refresh`` forces a full recompute)."""
    n_votes = session.scalar(select(func.count()).select_from(ConsultVote)
                             .join(ConsultStatement, ConsultStatement.id == ConsultVote.statement_id)
                             .where(ConsultVote.consultation_id == c.id, ConsultStatement.status == "accepted")) or 0
    with _LOCK:
        an = _CACHE.get(c.id)
        if an is None or int(np.isfinite(an.matrix.values).sum()) != n_votes:
            statements = list(accepted_statements(session, c))
            votes = [Vote(pid, sid, val) for pid, sid, val in session.execute(
                select(ConsultVote.participant_id, ConsultVote.statement_id, ConsultVote.value)
                .join(ConsultStatement, ConsultStatement.id == ConsultVote.statement_id)
                .where(ConsultVote.consultation_id == c.id, ConsultStatement.status == "accepted"))]
            an = IncrementalAnalyzer(votes, statements)
            _CACHE[c.id] = an
        elif refresh:
            an.recompute()
        return an.result


@dataclass(frozen=True)
class ResultsView:
    """What the public results page, the report and the exports show — aggregates only."""

    consultation: Consultation
    analysis: Analysis
    texts: dict[int, str]
    totals: dict[int, dict[str, int]]
    ellipses: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    n_participants: int
    n_votes: int


def results_view(session: Session, c: Consultation, refresh: bool = False) -> ResultsView:
    analysis = results(session, c, refresh=refresh)
    statements = accepted_statements(session, c)
    texts = {sid: mask_text(s.body, output="public") for sid, s in statements.items()}
    totals: dict[int, dict[str, int]] = {sid: {"agree": 0, "disagree": 0, "pass": 0} for sid in statements}
    for sid, value, n in session.execute(
            select(ConsultVote.statement_id, ConsultVote.value, func.count())
            .where(ConsultVote.consultation_id == c.id).group_by(ConsultVote.statement_id, ConsultVote.value)):
        if sid in totals:
            totals[sid][{1: "agree", -1: "disagree", 0: "pass"}[int(value)]] = int(n)
    n_participants = session.scalar(select(func.count(func.distinct(ConsultVote.participant_id)))
                                    .where(ConsultVote.consultation_id == c.id)) or 0
    n_votes = sum(sum(t.values()) for t in totals.values())
    return ResultsView(c, analysis, texts, totals, group_ellipses(analysis), timeline(session, c),
                       int(n_participants), int(n_votes))


def group_ellipses(analysis: Analysis) -> list[dict[str, Any]]:
    """Each group as a 2-sigma ellipse (centre, axes, angle) and its size: a region, never points."""
    g = analysis.groups
    if g is None:
        return []
    out = []
    for gi in range(g.k):
        pts = g.coords[g.labels == gi]
        if len(pts) == 0:
            continue
        centre = pts.mean(axis=0)
        cov = np.cov(pts.T) if len(pts) > 2 else np.eye(2) * 0.01
        vals, vecs = np.linalg.eigh(cov)
        vals = np.maximum(vals, 1e-4)
        angle = float(np.degrees(np.arctan2(vecs[1, 1], vecs[0, 1])))
        out.append({"group": gi, "size": len(pts), "cx": float(centre[0]), "cy": float(centre[1]),
                    "rx": float(2 * np.sqrt(vals[1])), "ry": float(2 * np.sqrt(vals[0])), "angle": angle})
    return out


def timeline(session: Session, c: Consultation) -> list[dict[str, Any]]:
    """Votes and first-time voters per day (Asia/Shanghai dates)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    per_day: dict[str, dict[str, int]] = {}
    first: dict[int, datetime] = {}
    for pid, at in session.execute(select(ConsultVoteEvent.participant_id, ConsultVoteEvent.cast_at)
                                   .where(ConsultVoteEvent.consultation_id == c.id)):
        at_utc = _utc(at)
        assert at_utc is not None
        day = at_utc.astimezone(tz).date().isoformat()
        per_day.setdefault(day, {"votes": 0, "participants": 0})["votes"] += 1
        if pid not in first or at_utc < first[pid]:
            first[pid] = at_utc
    for at in first.values():
        per_day[at.astimezone(tz).date().isoformat()]["participants"] += 1
    return [{"day": d, **v} for d, v in sorted(per_day.items())]


# ---------------------------------------------------------------- Pol.is import

def import_polis(session: Session, export: PolisExport, slug: str | None = None) -> Consultation:
    """A Pol.is export as a (closed) consultation: statements, pseudonymous participants, votes."""
    slug = slug or f"polis-{re.sub(r'[^a-z0-9]+', '-', export.name.lower())}"
    if session.scalar(select(Consultation).where(Consultation.slug == slug)) is not None:
        raise InputError(f"a consultation {slug!r} already exists", field="slug")
    from massline.consult.polis_io import POLIS_ATTRIBUTION

    c = create_consultation(session, title=export.topic or export.name, question=export.topic or export.name,
                            background_md=export.description, slug=slug, source=f"polis:{export.name}",
                            attribution=POLIS_ATTRIBUTION, moderation="post")
    people: dict[int, int] = {}
    for pid in sorted({int(str(v.participant)) for v in export.votes}):
        p = ConsultParticipant(consultation_id=c.id, token_hash=token_hash(f"polis:{export.name}:{pid}"))
        session.add(p)
        session.flush()
        people[pid] = p.id
    ids: dict[int, int] = {}
    for pc in export.comments:
        st = ConsultStatement(consultation_id=c.id, external_id=str(pc.id), body=pc.body,
                              author_participant_id=people.get(pc.author) if pc.author is not None else None,
                              status="rejected" if pc.moderated < 0 else "accepted",
                              created_at=_ms(pc.timestamp_ms))
        session.add(st)
        session.flush()
        ids[pc.id] = st.id
    latest: dict[tuple[int, int], Vote] = {}
    events: list[dict[str, Any]] = []
    for v in export.votes:
        sid = ids.get(int(str(v.statement)))
        if sid is None:
            continue
        pid = people[int(str(v.participant))]
        events.append({"consultation_id": c.id, "participant_id": pid, "statement_id": sid, "value": v.value,
                       "cast_at": _ms(int(v.at))})
        key = (pid, sid)
        if key not in latest or v.at >= latest[key].at:
            latest[key] = Vote(pid, sid, v.value, v.at)
    session.execute(insert(ConsultVoteEvent), events)
    session.execute(insert(ConsultVote), [
        {"consultation_id": c.id, "participant_id": p, "statement_id": s, "value": v.value,
         "updated_at": _ms(int(v.at))} for (p, s), v in latest.items()])
    times: list[datetime] = [e["cast_at"] for e in events]
    c.opens_at, c.closes_at = min(times, default=now()), max(times, default=now())
    session.flush()
    return c


def _ms(ms: int | None) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC) if ms else now()
