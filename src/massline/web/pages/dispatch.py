"""Dispatching from the console: which actions a case page offers, performing them, the queues.

The page layer only collects input. Which actions exist is the state machine's
(:func:`massline.serve.states.allowed_actions`, plus the service's own status guard for
co-handling and priority); who may take them is :func:`massline.serve.roles.can`; doing them
is :mod:`massline.serve.lifecycle` — the same calls the REST API (``web/api/workorders.py``)
makes, so the pages and the API cannot drift apart. Errors come back as :class:`FormError`:
the form and field they belong to and a Chinese text (the catalogue translates it), shown next
to the field.

Also here: the case part of the triage queue (returned cases, queued cases nobody routed, and
portal/Open311 cases whose chosen category the classifier disputes) and the dispatcher's list of
overdue and due-soon cases with their escalation target.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.analyze.routing import current_route, current_rules
from massline.core.errors import InputError, NotFoundError, PermissionDenied
from massline.db.models.users import Department, User
from massline.db.models.workorders import WorkOrder, WorkOrderEvent
from massline.serve import lifecycle
from massline.serve._common import cohandler_ids
from massline.serve.departments import escalation_chain, list_departments
from massline.serve.queries import WorkOrderFilter, cohandlers_of, get_work_order, list_work_orders
from massline.serve.roles import can
from massline.serve.sla import PRIORITIES, load_sla_rules, sla_status
from massline.serve.states import OPEN_STATUSES, QUEUE_STATUSES, allowed_actions
from massline.web.pages.queries import CATEGORY_KEY, current_results

Mask = Callable[[str | None], str]

#: Every action the case page can offer, in the order of the panel (reply has its own form).
CASE_ACTIONS: Final = ("assign", "accept", "start", "return", "transfer", "add_cohandler", "set_priority",
                       "merge", "close", "reopen")
#: Actions needing a reason (the service refuses without one; the form marks the field required).
REASON_REQUIRED: Final = frozenset({"return", "transfer", "reopen"})
#: Actions that pick a department.
DEPARTMENT_ACTIONS: Final = frozenset({"assign", "transfer", "add_cohandler"})
#: Channels where the requester chose the category themselves.
CHOSEN_CATEGORY_SOURCES: Final = ("open311", "web")

ACTION_LABELS: Final[dict[str, str]] = {
    "assign": "派单", "accept": "签收", "start": "开始办理", "return": "退单", "transfer": "转办",
    "add_cohandler": "添加协办", "set_priority": "设置优先级", "merge": "合并为重复件", "close": "办结",
    "reopen": "重新办理",
}
PRIORITY_NAMES: Final[dict[str, str]] = {"low": "低", "normal": "普通", "high": "高", "urgent": "紧急"}
EVENT_NAMES: Final[dict[str, str]] = {
    "created": "受理", "assigned": "派单", "accepted": "签收", "returned": "退单", "started": "开始办理",
    "transferred": "转办", "replied": "答复", "reopened": "重新办理", "closed": "办结", "merged": "合并",
    "duplicate_merged": "并入重复件", "cohandler_added": "添加协办", "priority_changed": "调整优先级",
    "categorised": "调整类别", "rated": "评价", "note": "内部备注", "routed": "自动分派",
}
QUEUE_KINDS: Final[dict[str, str]] = {"returned": "退单待重新分派", "disagreement": "类别不一致",
                                      "unassigned": "待分派", "routing": "正在自动分派"}
#: Chinese texts for errors by kind and by field (the English detail of the service follows in small print).
ERROR_TEXTS: Final[dict[str, str]] = {
    "reason": "请填写理由", "department": "请选择部门", "priority": "请选择优先级",
    "into": "请填写有效的工单编号（须为您可查看的工单）",
    "category": "请选择类别", "not_found": "找不到该工单或部门，或您无权查看",
    "forbidden": "您的角色或部门不能执行此操作", "transition": "当前状态不允许此操作", "input": "输入有误",
}


@dataclass(frozen=True, slots=True)
class FormError:
    """What went wrong in one form: ``form`` (action), ``field`` (or "" for the whole form), text, detail."""

    form: str
    field: str
    text: str
    detail: str = ""


def form_error(form: str, exc: Exception) -> FormError:
    """Our exception as a :class:`FormError` (Chinese text; the service's own words as detail)."""
    if isinstance(exc, InputError):
        field = exc.field if exc.field in ERROR_TEXTS else ""
        return FormError(form, field, ERROR_TEXTS[field] if field else ERROR_TEXTS["input"], exc.reason)
    if isinstance(exc, NotFoundError):
        return FormError(form, "", ERROR_TEXTS["not_found"], str(exc))
    if isinstance(exc, PermissionDenied):
        return FormError(form, "", ERROR_TEXTS["forbidden"], str(exc))
    return FormError(form, "", ERROR_TEXTS["transition"], str(exc))


def available_actions(session: Session, actor: User, wo: WorkOrder) -> list[str]:
    """Actions the state machine (or the service's status guard) allows now *and* ``actor`` may take."""
    allowed = set(allowed_actions(wo.status))
    if wo.status in OPEN_STATUSES:
        allowed.add("set_priority")
        if wo.status not in QUEUE_STATUSES:
            allowed.add("add_cohandler")
    co = cohandler_ids(session, wo)
    return [a for a in CASE_ACTIONS if a in allowed and can(actor, a, wo, cohandler_ids=co)]


def department_choices(session: Session) -> list[Department]:
    """Departments a case can go to, by name (the city government itself leads nothing)."""
    return [d for d in list_departments(session) if d.level != "city"]


def _need(value: str, field: str) -> str:
    if not value.strip():
        raise InputError("must not be empty", field=field)
    return value.strip()


def _into_id(value: str) -> int:
    text = _need(value, "into").lstrip("#")
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise InputError(f"not a work-order number: {value!r}", field="into")
    return int(text)


def perform(session: Session, work_order_id: int, *, action: str, actor: User, form: Mapping[str, str]) -> None:
    """Do ``action`` on the case with the form's fields through :mod:`massline.serve.lifecycle`."""
    if action not in CASE_ACTIONS:
        raise InputError(f"unknown action {action!r}; expected one of {', '.join(CASE_ACTIONS)}", field="action")
    wo = get_work_order(session, work_order_id, actor)
    reason = (form.get("reason") or "").strip()
    if action in REASON_REQUIRED:
        reason = _need(reason, "reason")
    if action in DEPARTMENT_ACTIONS:
        department = _need(form.get("department") or "", "department")
    if action == "assign":
        lifecycle.assign(session, wo, department_code=department, actor=actor, reason=reason or None)
    elif action == "accept":
        lifecycle.accept(session, wo, actor=actor)
    elif action == "start":
        lifecycle.start(session, wo, actor=actor)
    elif action == "return":
        lifecycle.return_to_dispatch(session, wo, actor=actor, reason=reason)
    elif action == "transfer":
        lifecycle.transfer(session, wo, department_code=department, actor=actor, reason=reason)
    elif action == "add_cohandler":
        lifecycle.add_cohandler(session, wo, department_code=department, actor=actor, reason=reason or None)
    elif action == "set_priority":
        lifecycle.set_priority(session, wo, priority=_need(form.get("priority") or "", "priority"), actor=actor,
                               reason=reason or None)
    elif action == "merge":
        into_id = _into_id(form.get("into") or "")
        try:
            into = get_work_order(session, into_id, actor)
        except NotFoundError as exc:
            raise InputError(str(exc), field="into") from exc
        lifecycle.merge(session, wo, into=into, actor=actor, reason=reason or None)
    elif action == "close":
        lifecycle.close(session, wo, actor=actor, reason=reason or None)
    else:  # reopen
        lifecycle.reopen(session, wo, actor=actor, reason=reason)
    session.flush()


def panel_context(session: Session, actor: User, wo: WorkOrder) -> dict[str, Any]:
    """What the case page's dispatch panel needs."""
    co = cohandlers_of(session, wo)
    names = {d.id: d.name for d in list_departments(session)}
    return {
        "dispatch_actions": available_actions(session, actor, wo),
        "departments": department_choices(session),
        "priorities": PRIORITIES,
        "priority_names": PRIORITY_NAMES,
        "action_labels": ACTION_LABELS,
        "reason_required": REASON_REQUIRED,
        "event_names": EVENT_NAMES,
        "lead_name": names.get(wo.lead_department_id) if wo.lead_department_id else None,
        "cohandler_names": [names.get(c.department_id, "?") for c in co if c.role == "co"],
        "merged_into": wo.merged_into_id,
    }


# --- the case part of the triage queue -------------------------------------------------------


@dataclass(slots=True)
class QueuedCase:
    """A case waiting for a dispatcher, why it waits, and the one-click suggestion."""

    id: int
    message_id: int | None
    kind: str  # returned | disagreement | unassigned
    title: str
    category: str | None
    reason: str
    suggested_category: str | None
    suggested_department: str | None  # code
    suggested_department_name: str | None
    confidence: float | None


def _last_return(session: Session, wo: WorkOrder) -> WorkOrderEvent | None:
    return session.scalar(select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == wo.id,
                                                       WorkOrderEvent.kind == "returned")
                          .order_by(WorkOrderEvent.at.desc(), WorkOrderEvent.id.desc()).limit(1))


def queued_cases(session: Session, *, mask: Mask, limit: int = 100) -> list[QueuedCase]:
    """Cases in the dispatcher's queue (new / returned), oldest first, each with why and a suggestion."""
    rows = list(session.scalars(select(WorkOrder).where(WorkOrder.status.in_(sorted(QUEUE_STATUSES)))
                                .order_by(WorkOrder.created_at, WorkOrder.id).limit(limit)))
    if not rows:
        return []
    rules = dict(current_rules(session))
    names = {d.code: d.name for d in list_departments(session)}
    by_id = {d.id: d.name for d in list_departments(session)}
    results = current_results(session, [wo.message_id for wo in rows if wo.message_id], (CATEGORY_KEY,))
    out: list[QueuedCase] = []
    for wo in rows:
        found = results.get(wo.message_id or 0, {}).get(CATEGORY_KEY)
        machine = str(found.value) if found is not None and found.value else None
        confidence = found.confidence if found is not None else None
        if wo.routing_pending:  # stored, its routing task not done yet: a dispatcher may still decide first
            kind, reason, suggested = "routing", "", wo.category or machine
        elif wo.status == "returned":
            event = _last_return(session, wo)
            who = by_id.get(event.department_id) if event is not None and event.department_id else None
            kind, reason, suggested = "returned", f"{who or ''} {mask(event.reason) if event else ''}".strip(), \
                wo.category
        elif wo.source in CHOSEN_CATEGORY_SOURCES and machine and machine != wo.category:
            kind, reason, suggested = "disagreement", "", machine
        else:
            kind, reason, suggested = "unassigned", "", wo.category or machine
        code = rules.get(suggested) if suggested else None
        out.append(QueuedCase(wo.id, wo.message_id, kind, mask(wo.title or (wo.description or "")[:40]), wo.category,
                              reason, suggested, code, names.get(code) if code else None, confidence))
    return out


def message_in_triage(session: Session, message_id: int | None) -> bool:
    route = current_route(session, message_id) if message_id else None
    return bool(route and route.get("queue") == "triage")


def assign_queued(session: Session, work_order_id: int, *, department: str, actor: User) -> WorkOrder:
    """One click on a queued case: assign it to ``department`` (the suggestion or another pick)."""
    wo = get_work_order(session, work_order_id, actor)
    lifecycle.assign(session, wo, department_code=_need(department, "department"), actor=actor,
                     reason="分拨队列决定")
    session.flush()
    return wo


# --- overdue and due soon --------------------------------------------------------------------


@dataclass(slots=True)
class DeadlineRow:
    id: int
    title: str
    department: str | None
    status: str
    state: str  # overdue | due_soon
    due: datetime | None
    overdue_hours: float | None
    escalation_level: int
    escalate_to: str | None


def deadline_rows(session: Session, actor: User, *, mask: Mask, now: datetime | None = None,
                  scan: int = 5000, limit: int = 200) -> list[DeadlineRow]:
    """Open cases ``actor`` may see that are overdue or due soon (``massline.serve.sla``), most urgent first.

    The escalation target is ``massline.serve.queries.escalation_target``'s rule (level N → the
    N-th department above the lead), with each department's chain looked up once per page.
    """
    now = now or datetime.now(UTC)
    rules = load_sla_rules()
    cases = list_work_orders(session, user=actor, filters=WorkOrderFilter(status=sorted(OPEN_STATUSES)),
                             limit=scan, newest_first=False)
    names = {d.id: d.name for d in list_departments(session)}
    chains: dict[int | None, list[Department]] = {}
    out: list[DeadlineRow] = []
    for wo in cases:
        sla = sla_status(wo, now, rules=rules)
        if sla.state not in ("overdue", "due_soon"):
            continue
        late = sla.overdue_by or timedelta(0)
        due = sla.due_close_at if sla.close in ("overdue", "due_soon") else sla.due_response_at
        target = None
        if sla.escalation_level:
            if wo.lead_department_id not in chains:
                chains[wo.lead_department_id] = escalation_chain(session, wo.lead_department_id)
            chain = chains[wo.lead_department_id]
            target = chain[min(sla.escalation_level, len(chain)) - 1] if chain else None
        out.append(DeadlineRow(wo.id, mask(wo.title or (wo.description or "")[:40]),
                               names.get(wo.lead_department_id) if wo.lead_department_id else None, wo.status,
                               sla.state, due, round(late.total_seconds() / 3600, 1) if sla.overdue_by else None,
                               sla.escalation_level, target.name if target else None))
    out.sort(key=lambda r: (r.state != "overdue", -r.escalation_level, -(r.overdue_hours or 0), r.id))
    return out[:limit]
