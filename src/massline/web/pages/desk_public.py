"""Public correction pages ``/corrections/{id}`` with schema.org ClaimReview JSON-LD.

Only published corrections are shown; the matched messages appear as counts only (how many
messages repeated the claim, where, first/last seen) — never a message, a name or a link to one.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.responses import Response

from massline.claims import corrections as corr
from massline.claims.desk import cluster_of
from massline.claims.evidence import VERDICTS
from massline.core.errors import NotFoundError
from massline.db.models.claims import Correction
from massline.privacy import mask_text
from massline.web.deps import SessionDep
from massline.web.pages.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/corrections")
def corrections_list(request: Request, session: SessionDep) -> Response:
    items = list(session.scalars(select(Correction).where(Correction.status == "published")
                                 .order_by(Correction.published_at.desc()).limit(100)))
    return render(request, "desk/public_list.html", {"items": [(c.id, mask_text(c.title), c.published_at)
                                                              for c in items]})


@router.get("/corrections/{correction_id}", name="correction_public")
def correction_public(request: Request, correction_id: int, session: SessionDep) -> Response:
    try:
        correction = corr.published(session, correction_id)
    except NotFoundError:
        return render(request, "error.html", {"status": 404, "message_id": "not_found"}, status_code=404)
    claim = corr.claim_of(session, correction)
    jsonld = corr.claim_review(correction, claim, str(request.url_for("correction_public",
                                                                      correction_id=correction.id)))
    return render(request, "desk/public_correction.html", {
        "c": correction, "title": mask_text(correction.title), "body": mask_text(correction.body),
        "claim_text": mask_text(claim.text), "verdict": VERDICTS[correction.rating],
        "sources": claim.sources or [], "counts": cluster_of(session, claim).public_counts(),
        "jsonld": json.dumps(jsonld, ensure_ascii=False).replace("</", "<\\/")})
