"""Corrections: drafted from a claim, reviewed by a second editor, published with ClaimReview JSON-LD.

Why a second person: a published correction speaks for the institution, so the editor who
drafts it cannot also pass its review (four eyes). Why schema.org ``ClaimReview``: it is what
search engines and fact-check tools (Google Fact Check Explorer, the Duke Reporters' Lab
database) read. The public page and its JSON-LD link back to the matched messages only as counts
(``desk.Cluster.public_counts``), and every text is passed through
``massline.privacy.mask_text(output="public")``.

Rating scale (``reviewRating``): 1 = false … 5 = true, with the verdict's Chinese name as
``alternateName`` (what a reader sees); "unproven" sits in the middle because it is no judgement of
truth either way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.claims.evidence import VERDICTS, check_verdict
from massline.core.errors import InputError, NotFoundError
from massline.db.base import utcnow
from massline.db.models.claims import Claim, Correction
from massline.db.repositories.audit import record_audit
from massline.privacy import mask_text

RATING: dict[str, int] = {"false": 1, "misleading": 2, "unproven": 3, "mixed": 3, "true": 5}
BEST, WORST = 5, 1
STATUSES = ("draft", "reviewed", "published")
PUBLISHER = "massline 辟谣与说明"


def _get(session: Session, correction_id: int) -> Correction:
    correction = session.get(Correction, correction_id)
    if correction is None:
        raise NotFoundError(f"no correction {correction_id}")
    return correction


def claim_of(session: Session, correction: Correction) -> Claim:
    claim = session.get(Claim, correction.claim_pk)
    assert claim is not None  # foreign key
    return claim


def draft_correction(session: Session, claim_id: str, *, actor: str) -> Correction:
    """A draft whose title and body start from the claim's verdict and evidence (the editor rewrites them)."""
    claim = session.scalars(select(Claim).where(Claim.claim_id == claim_id)).one_or_none()
    if claim is None:
        raise NotFoundError(f"no claim {claim_id!r}")
    short = claim.text if len(claim.text) <= 30 else claim.text[:30] + "…"
    body = (f"网传“{claim.text}”。\n\n经核查，该说法{VERDICTS.get(claim.verdict, claim.verdict)}。\n\n"
            f"{claim.evidence}").strip()
    correction = Correction(claim_pk=claim.id, claim_revision=claim.revision, title=f"关于“{short}”的说明",
                            body=body, rating=claim.verdict, status="draft", author=actor)
    session.add(correction)
    session.flush()
    record_audit(session, actor=actor, action="correction.draft", object_type="correction", object_id=correction.id,
                 detail={"claim_id": claim.claim_id, "claim_revision": claim.revision})
    return correction


def edit_correction(session: Session, correction_id: int, *, title: str, body: str, rating: str,
                    actor: str) -> Correction:
    """Change the text; a reviewed (not yet published) correction goes back to draft and needs a new review."""
    correction = _get(session, correction_id)
    if not title.strip():
        raise InputError("must not be empty", field="title")
    if not body.strip():
        raise InputError("must not be empty", field="body")
    rating = check_verdict(rating)
    changed = (correction.title, correction.body, correction.rating) != (title.strip(), body.strip(), rating)
    if not changed:
        return correction
    correction.title, correction.body, correction.rating = title.strip()[:300], body.strip(), rating
    correction.updated_at = utcnow()
    if correction.status == "reviewed":
        correction.status, correction.reviewed_by = "draft", None
    record_audit(session, actor=actor, action="correction.edit", object_type="correction", object_id=correction.id,
                 detail={"status": correction.status})
    return correction


def review_correction(session: Session, correction_id: int, *, actor: str) -> Correction:
    correction = _get(session, correction_id)
    if correction.status != "draft":
        raise InputError(f"only a draft can be reviewed (this one is {correction.status})", field="status")
    if actor == correction.author:
        raise InputError("the author cannot review their own correction", field="reviewer")
    correction.status, correction.reviewed_by, correction.updated_at = "reviewed", actor, utcnow()
    record_audit(session, actor=actor, action="correction.review", object_type="correction", object_id=correction.id)
    return correction


def publish_correction(session: Session, correction_id: int, *, actor: str) -> Correction:
    correction = _get(session, correction_id)
    if correction.status != "reviewed":
        raise InputError(f"only a reviewed correction can be published (this one is {correction.status})",
                         field="status")
    correction.status = "published"
    correction.published_at = correction.published_at or utcnow()
    record_audit(session, actor=actor, action="correction.publish", object_type="correction",
                 object_id=correction.id)
    return correction


def published(session: Session, correction_id: int) -> Correction:
    correction = _get(session, correction_id)
    if correction.status != "published":
        raise NotFoundError(f"correction {correction_id} is not published")
    return correction


def _iso_date(value: datetime | str | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)[:10]


def claim_review(correction: Correction, claim: Claim, url: str, *, publisher: str = PUBLISHER) -> dict[str, Any]:
    """The schema.org ``ClaimReview`` of a correction (also for a draft's preview, dated today)."""
    appearance = [{"@type": "CreativeWork", "url": s["url"], **({"name": s["title"]} if s.get("title") else {})}
                  for s in (claim.sources or []) if isinstance(s, dict) and s.get("url")]
    item: dict[str, Any] = {"@type": "Claim",
                            "author": {"@type": "Organization", "name": mask_text(claim.author or "网络传言")},
                            "datePublished": _iso_date(claim.claim_date) or _iso_date(claim.created_at),
                            "appearance": appearance}
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "name": mask_text(correction.title),
        "claimReviewed": mask_text(claim.text),
        "datePublished": _iso_date(correction.published_at or utcnow()),
        "inLanguage": "zh-CN",
        "author": {"@type": "Organization", "name": publisher},
        "reviewRating": {"@type": "Rating", "ratingValue": RATING[correction.rating], "bestRating": BEST,
                         "worstRating": WORST, "alternateName": VERDICTS[correction.rating]},
        "itemReviewed": item,
    }


def validate_claim_review(data: dict[str, Any]) -> list[str]:
    """Problems of a ClaimReview object against what Google's fact-check markup requires (empty = fine)."""
    problems: list[str] = []
    if data.get("@context") not in ("https://schema.org", "http://schema.org"):
        problems.append("@context must be schema.org")
    if data.get("@type") != "ClaimReview":
        problems.append("@type must be ClaimReview")
    for key in ("url", "claimReviewed", "datePublished"):
        if not isinstance(data.get(key), str) or not data[key]:
            problems.append(f"{key} must be a non-empty string")
    if not str(data.get("url", "")).startswith(("http://", "https://")):
        problems.append("url must be absolute")
    author = data.get("author")
    if not isinstance(author, dict) or author.get("@type") not in ("Organization", "Person") or not author.get("name"):
        problems.append("author must be an Organization or Person with a name")
    rating = data.get("reviewRating")
    if not isinstance(rating, dict) or rating.get("@type") != "Rating":
        problems.append("reviewRating must be a Rating")
    else:
        values = [rating.get(k) for k in ("worstRating", "ratingValue", "bestRating")]
        if not all(isinstance(v, int | float) for v in values) or not values[0] <= values[1] <= values[2]:  # type: ignore[operator]
            problems.append("reviewRating needs worstRating ≤ ratingValue ≤ bestRating (numbers)")
        if not rating.get("alternateName"):
            problems.append("reviewRating.alternateName must be set")
    item = data.get("itemReviewed")
    if not isinstance(item, dict) or item.get("@type") != "Claim":
        problems.append("itemReviewed must be a Claim")
    else:
        if not isinstance(item.get("author"), dict) or not item["author"].get("name"):
            problems.append("itemReviewed.author must have a name")
        if not item.get("datePublished"):
            problems.append("itemReviewed.datePublished must be set")
        if not isinstance(item.get("appearance"), list):
            problems.append("itemReviewed.appearance must be a list")
    return problems


def corrections_of(session: Session, claim: Claim) -> list[Correction]:
    return list(session.scalars(select(Correction).where(Correction.claim_pk == claim.id).order_by(Correction.id)))
