"""Service metrics computed in SQL: 响应率, 解决率, 满意率 and time to first response / to close.

Definitions (the README repeats them):

* **population (received)** — work orders *received* (``created_at``) in the period, except
  duplicates merged into another case (``merged_into_id`` set) and cases closed as invalid;
* **响应率 response rate** — received cases whose first response (first ``accepted`` or
  ``replied`` event) came no later than ``due_response_at`` ÷ received cases whose response is
  *due*: answered already, or past (or without) their response deadline — a case received this
  morning that nobody had to answer yet is not a failure;
* **解决率 resolution rate** — received cases whose status is ``closed`` now (a reopened case
  counts again only once it is closed again) ÷ received cases whose close is due (closed, or past
  or without their close deadline — re-based when reopened);
* a merged duplicate is counted once, in its main case; reopening it makes it its own case again;
* **满意率 satisfaction rate** — cases whose current rating is 满意 or 基本满意 ÷ cases with a rating
  (``None`` when nothing was rated);
* **time to first response / to close** — ``first_response_at − created_at`` and
  ``closed_at − created_at`` in hours, median and 90th percentile (linear interpolation, as
  PostgreSQL's ``percentile_cont``) over cases that have them.

Counts and sums are one ``GROUP BY`` on both databases. Percentiles: PostgreSQL computes them in
SQL with ``percentile_cont(…) WITHIN GROUP``; SQLite has no such aggregate, so the durations are
selected sorted by (group, value) in SQL and interpolated in Python — the same formula, tested
to agree.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from massline.core.clock import local_zone
from massline.core.errors import InputError
from massline.db.models.users import Department
from massline.db.models.workorders import Rating, WorkOrder

DIMENSIONS: Final = ("category", "department", "district", "month")
TOTAL: Final = "全部"
LOCAL_TZ: Final = ZoneInfo("Asia/Shanghai")  # the default zone; the installation's is ``local_zone()``
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")


@dataclass(frozen=True)
class MetricRow:
    group: str
    received: int
    responded: int
    responded_in_time: int
    resolved: int
    response_due: int  # denominator of 响应率: received cases whose response is due by ``now``
    close_due: int  # denominator of 解决率
    rated: int
    satisfied: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    response_hours_median: float | None
    response_hours_p90: float | None
    close_hours_median: float | None
    close_hours_p90: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_period(period: str | None, tz: ZoneInfo | None = None) -> tuple[datetime, datetime] | None:
    """``2019-11`` (a month), ``2019`` (a year) or ``2019-01..2019-03`` (inclusive months) → [start, end) in UTC."""
    if not period:
        return None
    tz = tz or local_zone()
    first, _, last = period.partition("..")
    start = _bound(first, tz, end=False)
    end = _bound(last or first, tz, end=True)
    if end <= start:
        raise InputError(f"period {period!r} ends before it starts", field="period")
    return start, end


def _bound(text: str, tz: ZoneInfo, *, end: bool) -> datetime:
    m = _PERIOD.match(text.strip())
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        raise InputError(f"bad period {text!r}; expected YYYY, YYYY-MM or YYYY-MM..YYYY-MM", field="period")
    year, month = int(m.group(1)), int(m.group(2) or 0)
    if not end:
        return datetime(year, month or 1, 1, tzinfo=tz).astimezone(UTC)
    if month == 0 or month == 12:
        return datetime(year + 1, 1, 1, tzinfo=tz).astimezone(UTC)
    return datetime(year, month + 1, 1, tzinfo=tz).astimezone(UTC)


def _hours(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def _group_expr(session: Session, by: str | None, tz: ZoneInfo) -> ColumnElement[Any]:
    if by is None:
        return literal(TOTAL)
    if by == "category":
        return func.coalesce(WorkOrder.category, "(none)")
    if by == "department":
        return func.coalesce(Department.code, "(dispatch)")
    if by == "district":
        return func.coalesce(WorkOrder.district, "(unknown)")
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(tz.key, WorkOrder.created_at), "YYYY-MM")
    offset = datetime(2000, 1, 1, tzinfo=tz).utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset else 0
    return func.strftime("%Y-%m", WorkOrder.created_at, f"{hours:+d} hours")


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (= PostgreSQL ``percentile_cont``)."""
    if not sorted_values:
        return None
    pos = (len(sorted_values) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def compute_metrics(session: Session, *, by: str | None = None, period: str | None = None,
                    start: datetime | None = None, end: datetime | None = None,
                    tz: ZoneInfo | None = None, with_total: bool = True,
                    now: datetime | None = None) -> list[MetricRow]:
    """One row per value of ``by`` (``category``/``department``/``district``/``month``), plus a 全部 row.

    ``now`` (default: the current time) decides which deadlines have passed (rate denominators);
    ``tz`` (default: the installation's zone, ``MASSLINE_TIMEZONE``) what a day and a month are.
    """
    tz = tz or local_zone()
    if by is not None and by not in DIMENSIONS:
        raise InputError(f"unknown dimension {by!r}; expected one of {', '.join(DIMENSIONS)}", field="by")
    bounds = parse_period(period, tz) or (start, end)
    moment = now or datetime.now(UTC)
    rows = _query(session, by, bounds, tz, moment)
    if with_total and by is not None:
        rows += _query(session, None, bounds, tz, moment)
    return rows


def _where(bounds: tuple[datetime | None, datetime | None]) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [
        WorkOrder.merged_into_id.is_(None),
        or_(WorkOrder.close_reason.is_(None), WorkOrder.close_reason != "invalid"),
    ]
    if bounds[0] is not None:
        conds.append(WorkOrder.created_at >= bounds[0])
    if bounds[1] is not None:
        conds.append(WorkOrder.created_at < bounds[1])
    return conds


def _query(session: Session, by: str | None, bounds: tuple[datetime | None, datetime | None],
           tz: ZoneInfo, now: datetime) -> list[MetricRow]:
    group = _group_expr(session, by, tz).label("grp")
    resp_h = _hours(session, WorkOrder.first_response_at, WorkOrder.created_at)
    close_h = case((WorkOrder.status == "closed", _hours(session, WorkOrder.closed_at, WorkOrder.created_at)))
    one = literal(1)
    counts: list[ColumnElement[Any]] = [
        func.count(WorkOrder.id),
        func.count(WorkOrder.first_response_at),
        func.sum(case((and_(WorkOrder.first_response_at.is_not(None), WorkOrder.due_response_at.is_not(None),
                            WorkOrder.first_response_at <= WorkOrder.due_response_at), one), else_=0)),
        func.sum(case((WorkOrder.status == "closed", one), else_=0)),
        func.count(Rating.id),
        func.sum(case((Rating.value.in_(("满意", "基本满意")), one), else_=0)),
        func.sum(case((or_(WorkOrder.first_response_at.is_not(None), WorkOrder.due_response_at.is_(None),
                           WorkOrder.due_response_at <= now), one), else_=0)),
        func.sum(case((or_(WorkOrder.status == "closed", WorkOrder.due_close_at.is_(None),
                           WorkOrder.due_close_at <= now), one), else_=0)),
    ]
    pg = session.get_bind().dialect.name == "postgresql"
    if pg:
        counts += [func.percentile_cont(q).within_group(expr) for expr in (resp_h, close_h) for q in (0.5, 0.9)]
    base = (select(group, *counts).select_from(WorkOrder)
            .outerjoin(Rating, and_(Rating.work_order_id == WorkOrder.id, Rating.current.is_(True)))
            .outerjoin(Department, Department.id == WorkOrder.lead_department_id)
            .where(*_where(bounds)).group_by(group).order_by(group))
    result = session.execute(base).all()
    quantiles: dict[str, list[float | None]] = {}
    if pg:
        quantiles = {r[0]: [None if v is None else float(v) for v in r[9:13]] for r in result}
    else:
        quantiles = _python_quantiles(session, group, resp_h, close_h, bounds)
    out = []
    for r in result:
        received, responded, in_time, resolved, rated, satisfied, response_due, close_due = (
            int(v or 0) for v in r[1:9])
        q = quantiles.get(r[0], [None] * 4)
        out.append(MetricRow(
            group=str(r[0]), received=received, responded=responded, responded_in_time=in_time, resolved=resolved,
            response_due=response_due, close_due=close_due,
            rated=rated, satisfied=satisfied, response_rate=_ratio(in_time, response_due),
            resolution_rate=_ratio(resolved, close_due), satisfaction_rate=_ratio(satisfied, rated),
            response_hours_median=q[0], response_hours_p90=q[1], close_hours_median=q[2], close_hours_p90=q[3]))
    return out


def _python_quantiles(session: Session, group: Any, resp_h: Any, close_h: Any,
                      bounds: tuple[datetime | None, datetime | None]) -> dict[str, list[float | None]]:
    """SQLite: durations sorted by SQL, median/p90 interpolated here (one pass per measure)."""
    out: dict[str, list[float | None]] = defaultdict(lambda: [None] * 4)
    for i, expr in enumerate((resp_h, close_h)):
        stmt = (select(group, expr.label("h")).select_from(WorkOrder)
                .outerjoin(Department, Department.id == WorkOrder.lead_department_id)
                .where(*_where(bounds), expr.is_not(None)).order_by(group, expr))
        values: dict[str, list[float]] = defaultdict(list)
        for key, hours in session.execute(stmt):
            values[key].append(float(hours))
        for key, vals in values.items():
            out[key][2 * i] = percentile(vals, 0.5)
            out[key][2 * i + 1] = percentile(vals, 0.9)
    return dict(out)
