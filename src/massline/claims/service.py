"""The evidence base of an installation as a matcher, built once per state of the ``claims`` table.

Why a cache keyed on the table's state: indexing several hundred claims with jieba takes a few
seconds; the web app, the analysis run and the CLI ask many times, the base changes rarely.
Any import, revision or retirement changes the key (count, highest id, sum of revisions).
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from massline.claims.matcher import Calibration, IndexedClaim, Matcher
from massline.core.config import Settings
from massline.db.models.claims import Claim

_lock = threading.Lock()
_cache: dict[tuple[object, ...], Matcher] = {}


def calibration_path(settings: Settings) -> Path:
    """Where ``massline eval claims --save`` puts a calibration fitted on this installation's data."""
    return settings.models_dir() / "claims" / "calibration.json"


def indexed(claim: Claim) -> IndexedClaim:
    return IndexedClaim(claim_id=claim.claim_id, text=claim.text, verdict=claim.verdict,
                        variants=tuple(claim.variants or ()), evidence=claim.evidence)


def active_claims(session: Session) -> list[IndexedClaim]:
    return [indexed(c) for c in session.scalars(select(Claim).where(Claim.status == "active").order_by(Claim.id))]


def matcher_for(session: Session, calibration: Calibration | None = None,
                settings: Settings | None = None) -> Matcher:
    """The matcher over the active claims (cached while the table does not change)."""
    state = session.execute(select(func.count(Claim.id), func.max(Claim.id), func.sum(Claim.revision))
                            .where(Claim.status == "active")).one()
    cal = calibration or Calibration.load(calibration_path(settings) if settings else None)
    key = (str(session.get_bind().engine.url), *tuple(state), cal.coef and tuple(cal.coef), cal.threshold)
    with _lock:
        if key not in _cache:
            _cache.clear()
            _cache[key] = Matcher.build(active_claims(session), cal)
        return _cache[key]


def claims_config(settings: Settings, session: Session) -> dict[str, object]:
    """Config of the ``analyze.claims`` component: the matcher over the active claims and the rumor
    model when one was trained (``massline eval rumor``)."""
    from massline.claims.rumor import load_rumor_model

    return {"matcher": matcher_for(session, settings=settings),
            "rumor": load_rumor_model(settings.models_dir() / "rumor")}
