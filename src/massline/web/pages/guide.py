"""Guide pages (引导): the dashboard (topics over time, hot issues with heat parts, alerts, incident board),
one issue, one incident, and the incident actions.

Department walls: a handler's guide is computed from their department's messages only, and they see only
their department's incidents; texts pass the staff masker. Incidents are worked by analysts (and the
administrator) through ``massline.guide.incidents``, which records every step as an event and in the audit log.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from massline.core.errors import InputError, NotFoundError, PermissionDenied
from massline.db.models.guide import Incident
from massline.db.models.users import User
from massline.db.models.workorders import WorkOrder
from massline.guide import incidents as inc
from massline.guide.heat import PARTS
from massline.guide.hot import LOCAL_TZ
from massline.guide.snapshot import Snapshot, cached_snapshot, spark_points
from massline.web.deps import SessionDep
from massline.web.pages.rendering import render
from massline.web.pages.security import PageUser, check_csrf, require_role
from massline.web.pages.viewer import masker

router = APIRouter(prefix="/staff/guide", include_in_schema=False)
GUIDE_ROLES = ("administrator", "dispatcher", "handler", "analyst", "editor")
PART_NAMES = {"volume": "留言量", "people": "人数", "growth": "增长", "reactions": "点赞/反对", "duration": "持续",
              "spread": "扩散"}
TOPIC_STATUS = {"new": "新出现", "growing": "上升", "stable": "平稳", "fading": "回落", "quiet": "沉寂"}
ERRORS = (InputError, PermissionDenied, NotFoundError)
GuideUser = Annotated[PageUser, Depends(require_role(*GUIDE_ROLES))]


def _me(session: Session, user: PageUser) -> User:
    me = session.get(User, user.id)
    if me is None or not me.active:
        raise PermissionDenied(f"user {user.username!r} no longer exists or is disabled")
    return me


def _snapshot(session: Session, user: PageUser) -> Snapshot:
    return cached_snapshot(session, department_id=user.department_id if user.role == "handler" else None)


def _local(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(LOCAL_TZ)


def _board(session: Session, me: User) -> dict[str, list[dict[str, Any]]]:
    board: dict[str, list[dict[str, Any]]] = {s: [] for s in inc.STAGES}
    for i in inc.list_incidents(session, me):
        board[i.stage].append({"id": i.id, "title": i.title, "risk": i.risk_level, "due": _local(i.due_at),
                               "overdue": inc.overdue(i), "escalation": i.escalation})
    return board


@router.get("")
def guide_dashboard(request: Request, session: SessionDep, user: GuideUser) -> Response:
    snap = _snapshot(session, user)
    mask = masker(user)
    me = _me(session, user)
    issues = [{"rank": h.rank, "issue_id": h.issue_id, "heat": h.heat, "label": mask(h.label),
               "parts": [(PART_NAMES[k], h.heat_parts[k]) for k in PARTS], "n": len(h.message_ids),
               "users": h.users, "start": _local(h.start), "end": _local(h.end),
               "risk": snap.issue_risk[h.issue_id]} for h in snap.issues[:20]]
    alerts = [{"id": a.alert_id, "label": mask(a.label), "kind": a.kind, "detected": _local(a.detected_at),
               "observed": a.observed, "expected": a.expected, "score": a.score, "reasons": a.reasons,
               "spark": spark_points(snap.sparks.get(a.alert_id, [])), "risk": snap.alert_risk[a.alert_id],
               "n": len(a.members)} for a in snap.alerts[:20]]
    chart = snap.chart()
    chart["series"] = [{"name": mask(s["name"]), "data": s["data"]} for s in chart["series"]]
    return render(request, "guide/dashboard.html", {
        "issues": issues, "alerts": alerts, "board": _board(session, me), "stage_names": inc.STAGE_NAMES,
        "stages": inc.STAGES, "chart_json": json.dumps(chart, ensure_ascii=False).replace("</", "<\\/"),
        "n_messages": len(snap.analysis.messages), "n_issues": len(snap.analysis.issues),
        "topics": (snap.topics.topics[:12] if snap.topics else []), "can_work": inc.can_work(me),
        "topic_status": TOPIC_STATUS,
        "scope": "department" if user.role == "handler" else "city"})


def _linked_cases(session: Session, message_ids: list[int], user: PageUser) -> list[dict[str, Any]]:
    if not message_ids:
        return []
    stmt = select(WorkOrder).where(WorkOrder.message_id.in_(message_ids[:900])).order_by(WorkOrder.id)
    if user.role == "handler":
        stmt = stmt.where(WorkOrder.lead_department_id == user.department_id)
    mask = masker(user)
    return [{"id": wo.id, "title": mask(wo.title or wo.description[:40]), "status": wo.status}
            for wo in session.scalars(stmt)]


@router.get("/issues/{issue_id}")
def issue_page(request: Request, issue_id: str, session: SessionDep, user: GuideUser) -> Response:
    snap = _snapshot(session, user)
    issue = snap.by_id.get(issue_id)
    if issue is None:
        return render(request, "error.html", {"status": 404, "message_id": "not_found"}, status_code=404)
    mask = masker(user)
    msgs = [snap.analysis.messages[i] for i in issue.members]
    days: dict[str, int] = {}
    for m in msgs:
        key = f"{m.created_at.astimezone(LOCAL_TZ):%Y-%m-%d}"
        days[key] = days.get(key, 0) + 1
    return render(request, "guide/issue.html", {
        "issue": issue, "label": mask(issue.label), "risk": snap.issue_risk[issue.issue_id],
        "parts": [(PART_NAMES[k], issue.heat_parts[k]) for k in PARTS],
        "messages": [{"id": m.id, "external_id": m.external_id, "title": mask(m.title), "body": mask(m.body[:300]),
                      "at": _local(m.created_at), "likes": m.likes, "dislikes": m.dislikes} for m in msgs],
        "timeline": sorted(days.items()), "cases": _linked_cases(session, issue.message_ids, user),
        "start": _local(issue.start), "end": _local(issue.end), "can_work": inc.can_work(_me(session, user))})


@router.post("/incidents", dependencies=[Depends(check_csrf)])
def open_incident_page(request: Request, session: SessionDep, user: GuideUser,
                       origin_kind: Annotated[str, Form()] = "", origin_ref: Annotated[str, Form()] = "",
                       note: Annotated[str, Form()] = "", days: Annotated[int, Form()] = 3) -> Response:
    """Open an incident from a hot issue or an alert of the current snapshot (its messages and cases linked)."""
    snap = _snapshot(session, user)
    me = _me(session, user)
    try:
        if origin_kind == "issue" and origin_ref in snap.by_id:
            h = snap.by_id[origin_ref]
            title, ids, risk = h.label, h.message_ids, snap.issue_risk[h.issue_id]
        elif origin_kind == "alert" and (alert := next((a for a in snap.alerts if a.alert_id == origin_ref), None)):
            title, ids, risk = alert.label, alert.message_ids, snap.alert_risk[alert.alert_id]
        else:
            raise InputError(f"no {origin_kind or 'issue'} {origin_ref!r} in the current guide", field="origin_ref")
        case_ids = [c["id"] for c in _linked_cases(session, ids, user)]
        incident = inc.open_incident(session, me, title=title, origin_kind=origin_kind, origin_ref=origin_ref,
                                     message_ids=ids, case_ids=case_ids, risk=risk, note=note or None,
                                     due_at=datetime.now(UTC) + timedelta(days=max(days, 1)),
                                     department_id=user.department_id if user.role == "handler" else None)
        session.commit()
    except ERRORS as exc:
        session.rollback()
        return render(request, "error.html", {"status": 400, "message": str(exc)}, status_code=400)
    return RedirectResponse(f"/staff/guide/incidents/{incident.id}", status_code=303)


def _incident_context(session: Session, user: PageUser, incident: Incident) -> dict[str, Any]:
    me = _me(session, user)
    mask = masker(user)
    owner = session.get(User, incident.owner_id) if incident.owner_id else None
    message_ids = inc.links(session, incident, "message")
    case_ids = inc.links(session, incident, "case")
    cases = _linked_cases(session, message_ids, user) if user.role != "editor" else []
    cases += [c for c in ({"id": cid, "title": "", "status": ""} for cid in case_ids)
              if c["id"] not in {x["id"] for x in cases}]
    return {"incident": incident, "title": mask(incident.title), "owner": owner.username if owner else "—",
            "events": [{"at": _local(e.at), "actor": e.actor, "kind": e.kind, "from": e.from_stage, "to": e.to_stage,
                        "note": mask(e.note)} for e in inc.events(session, incident)],
            "message_ids": message_ids, "cases": cases, "due": _local(incident.due_at),
            "overdue": inc.overdue(incident), "stage_names": inc.STAGE_NAMES, "stages": inc.STAGES,
            "can_work": inc.can_work(me) and incident.status == "open",
            "next_stage": (inc.STAGES[inc.STAGES.index(incident.stage) + 1]
                           if incident.stage in inc.STAGES[:-1] else None)}


@router.get("/incidents/{incident_id}")
def incident_page(request: Request, incident_id: int, session: SessionDep, user: GuideUser) -> Response:
    try:
        incident = inc.get_incident(session, _me(session, user), incident_id)
    except ERRORS:
        return render(request, "error.html", {"status": 404, "message_id": "not_found"}, status_code=404)
    return render(request, "guide/incident.html", _incident_context(session, user, incident))


@router.post("/incidents/{incident_id}/act", dependencies=[Depends(check_csrf)])
def incident_act(request: Request, incident_id: int, session: SessionDep, user: GuideUser,
                 action: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
                 stage: Annotated[str, Form()] = "") -> Response:
    me = _me(session, user)
    try:
        incident = inc.get_incident(session, me, incident_id)
        if action == "move":
            inc.move(session, me, incident, stage, note=note or None)
        elif action == "note":
            inc.add_note(session, me, incident, note)
        elif action == "escalate":
            inc.escalate(session, me, incident, note)
        elif action == "close":
            inc.close(session, me, incident, note)
        else:
            raise InputError(f"unknown action {action!r}", field="action")
        session.commit()
    except ERRORS as exc:
        session.rollback()
        return render(request, "error.html", {"status": 400, "message": str(exc)}, status_code=400)
    return RedirectResponse(f"/staff/guide/incidents/{incident_id}", status_code=303)
