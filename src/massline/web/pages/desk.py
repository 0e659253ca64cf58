"""The fact-check desk in the staff console: review queue and rumor signals, claims, corrections.

Who: editors (and administrators) manage claims and corrections and decide review items;
analysts and dispatchers may look. Message texts are masked as on every staff page
(``viewer.masker``); a message is never hidden or changed here — a match only adds the evidence
beside it. Public correction pages live in ``desk_public``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import or_, select
from starlette.responses import Response

from massline.claims import corrections as corr
from massline.claims.desk import cluster_of, clusters, decide_review, review_queue, rumor_signals
from massline.claims.evidence import VERDICTS, parse_variants, revise_claim, revisions, set_status
from massline.core.errors import InputError, NotFoundError
from massline.db.models.claims import Claim, Correction
from massline.privacy import mask_text
from massline.web.deps import SessionDep
from massline.web.pages.rendering import gettext_for, render
from massline.web.pages.security import PageUser, check_csrf, require_role
from massline.web.pages.viewer import masker

router = APIRouter(prefix="/staff/desk", include_in_schema=False)
VIEW_ROLES = ("administrator", "editor", "analyst", "dispatcher")
EDIT_ROLES = ("administrator", "editor")
Viewer = Annotated[PageUser, Depends(require_role(*VIEW_ROLES))]
Editor = Annotated[PageUser, Depends(require_role(*EDIT_ROLES))]
VERDICT_NAMES = VERDICTS  # shown through _() in templates
STATUS_NAMES = {"active": "有效", "retired": "已停用", "draft": "草稿", "reviewed": "已审核", "published": "已发布",
                "pending": "待复核", "confirmed": "已确认", "rejected": "已否决"}


def _not_found(request: Request) -> Response:
    return render(request, "error.html", {"status": 404, "message_id": "not_found"}, status_code=404)


def _claim(session: Any, claim_id: str) -> Claim | None:
    return session.scalars(select(Claim).where(Claim.claim_id == claim_id)).one_or_none()  # type: ignore[no-any-return]


def _common(user: PageUser) -> dict[str, Any]:
    return {"verdict_names": VERDICT_NAMES, "status_names": STATUS_NAMES, "can_edit": user.role in EDIT_ROLES}


@router.get("")
def desk_page(request: Request, session: SessionDep, user: Viewer) -> Response:
    mask = masker(user)
    queue = [{"id": q.review.id, "message_id": q.message.id, "title": mask(q.message.title or q.message.body[:60]),
              "claim": q.claim, "score": q.review.score, "words": q.review.reason} for q in review_queue(session)]
    signals = [{"message_id": m.id, "title": mask(m.title or m.body[:60]), "score": r.confidence,
                "reason": mask(r.reason)} for m, r in rumor_signals(session)]
    return render(request, "desk/queue.html", {"queue": queue, "signals": signals, "clusters": clusters(session, 20),
                                               **_common(user)})


@router.post("/reviews/{review_id}", dependencies=[Depends(check_csrf)])
def review_decide(request: Request, review_id: int, session: SessionDep, user: Editor,
                  decision: Annotated[str, Form()] = "") -> Response:
    try:
        if decision not in {"confirm", "reject"}:
            raise InputError("expected confirm or reject", field="decision")
        decide_review(session, review_id, decision == "confirm", actor=user.username)
    except NotFoundError:
        return _not_found(request)
    except InputError as exc:
        return render(request, "error.html", {"status": 422, "message": str(exc)}, status_code=422)
    session.commit()
    return RedirectResponse("/staff/desk", status_code=303)


@router.get("/claims")
def claims_page(request: Request, session: SessionDep, user: Viewer, q: str = "") -> Response:
    query = select(Claim).order_by(Claim.updated_at.desc(), Claim.id.desc()).limit(100)
    if q.strip():
        like = f"%{q.strip()[:50]}%"
        query = query.where(or_(Claim.text.like(like), Claim.claim_id.like(like)))
    return render(request, "desk/claims.html", {"claims": list(session.scalars(query)), "q": q, **_common(user)})


def _claim_context(session: Any, user: PageUser, claim: Claim) -> dict[str, Any]:
    mask = masker(user)
    cluster = cluster_of(session, claim)
    from massline.db.models.message import Message

    messages = list(session.scalars(select(Message).where(Message.id.in_(cluster.message_ids[:50])))) \
        if cluster.message_ids else []
    return {"claim": claim, "cluster": cluster, "revisions": revisions(session, claim),
            "messages": [(m.id, mask(m.title or m.body[:60])) for m in messages],
            "corrections": corr.corrections_of(session, claim),
            "chart_json": json.dumps({"days": [d for d, _ in cluster.per_day],
                                      "counts": [n for _, n in cluster.per_day]}),
            **_common(user)}


@router.get("/claims/{claim_id}")
def claim_page(request: Request, claim_id: str, session: SessionDep, user: Viewer) -> Response:
    claim = _claim(session, claim_id)
    if claim is None:
        return _not_found(request)
    return render(request, "desk/claim.html", _claim_context(session, user, claim))


@router.post("/claims/{claim_id}", dependencies=[Depends(check_csrf)])
def claim_edit(request: Request, claim_id: str, session: SessionDep, user: Editor,
               text: Annotated[str, Form()] = "", verdict: Annotated[str, Form()] = "",
               evidence: Annotated[str, Form()] = "", variants: Annotated[str, Form()] = "",
               reason: Annotated[str, Form()] = "", action: Annotated[str, Form()] = "save") -> Response:
    """Save a revision, or retire / reactivate the claim (a reason is required either way)."""
    _ = gettext_for(request)
    claim = _claim(session, claim_id)
    if claim is None:
        return _not_found(request)
    try:
        if not reason.strip():
            raise InputError(_("请填写修改理由"), field="reason")
        if action in {"retire", "reactivate"}:
            set_status(session, claim_id, "retired" if action == "retire" else "active", actor=user.username,
                       reason=reason.strip())
        else:
            revise_claim(session, claim_id, {"text": text.strip(), "verdict": verdict, "evidence": evidence.strip(),
                                             "variants": parse_variants(variants.replace("\n", "|"))},
                         actor=user.username, reason=reason.strip())
    except InputError as exc:
        session.rollback()
        ctx = _claim_context(session, user, claim)
        ctx["error"] = f"{exc.field}: {exc.reason}" if exc.field else str(exc)
        return render(request, "desk/claim.html", ctx, status_code=422)
    session.commit()
    return RedirectResponse(f"/staff/desk/claims/{claim_id}", status_code=303)


@router.post("/claims/{claim_id}/corrections", dependencies=[Depends(check_csrf)])
def correction_new(request: Request, claim_id: str, session: SessionDep, user: Editor) -> Response:
    try:
        correction = corr.draft_correction(session, claim_id, actor=user.username)
    except NotFoundError:
        return _not_found(request)
    session.commit()
    return RedirectResponse(f"/staff/desk/corrections/{correction.id}", status_code=303)


def public_url(request: Request, correction_id: int) -> str:
    return str(request.url_for("correction_public", correction_id=correction_id))


def _correction_context(request: Request, session: Any, user: PageUser, correction_id: int) -> dict[str, Any] | None:
    correction = session.get(Correction, correction_id)
    if correction is None:
        return None
    claim = corr.claim_of(session, correction)
    jsonld = corr.claim_review(correction, claim, public_url(request, correction.id))
    return {"c": correction, "claim": claim, "jsonld": json.dumps(jsonld, ensure_ascii=False, indent=1),
            "problems": corr.validate_claim_review(jsonld), "counts": cluster_of(session, claim).public_counts(),
            "preview_body": mask_text(correction.body), **_common(user)}


@router.get("/corrections/{correction_id}")
def correction_editor(request: Request, correction_id: int, session: SessionDep, user: Viewer) -> Response:
    ctx = _correction_context(request, session, user, correction_id)
    if ctx is None:
        return _not_found(request)
    return render(request, "desk/correction.html", ctx)


@router.post("/corrections/{correction_id}", dependencies=[Depends(check_csrf)])
def correction_save(request: Request, correction_id: int, session: SessionDep, user: Editor,
                    title: Annotated[str, Form()] = "", body: Annotated[str, Form()] = "",
                    rating: Annotated[str, Form()] = "", action: Annotated[str, Form()] = "save") -> Response:
    try:
        if action == "save":
            corr.edit_correction(session, correction_id, title=title, body=body, rating=rating, actor=user.username)
        elif action == "review":
            corr.review_correction(session, correction_id, actor=user.username)
        elif action == "publish":
            corr.publish_correction(session, correction_id, actor=user.username)
        else:
            raise InputError("expected save, review or publish", field="action")
    except NotFoundError:
        return _not_found(request)
    except InputError as exc:
        session.rollback()
        ctx = _correction_context(request, session, user, correction_id)
        if ctx is None:
            return _not_found(request)
        ctx["error"] = f"{exc.field}: {exc.reason}" if exc.field else str(exc)
        return render(request, "desk/correction.html", ctx, status_code=422)
    session.commit()
    return RedirectResponse(f"/staff/desk/corrections/{correction_id}", status_code=303)
