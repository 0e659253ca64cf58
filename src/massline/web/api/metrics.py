"""Staff API for service metrics: 响应率, 解决率, 满意率 and times, computed in SQL by ``massline.serve.metrics``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from massline.core.clock import day_bounds
from massline.serve.metrics import compute_metrics
from massline.serve.roles import require
from massline.web.api.auth import CurrentUser
from massline.web.api.schemas.metrics import MetricRowPublic, MetricsPublic
from massline.web.api.staff_errors import ERROR_RESPONSES, StaffRoute
from massline.web.deps import SessionDep

TAG = "metrics"
router = APIRouter(prefix="/api/metrics", tags=[TAG], route_class=StaffRoute, responses=ERROR_RESPONSES)


@router.get("", operation_id="metrics-get", response_model=MetricsPublic)
def metrics(
    session: SessionDep,
    user: CurrentUser,
    by: Annotated[Literal["category", "department", "district", "month"] | None,
                  Query(description="Group rows by this dimension (plus a 全部 total row)")] = None,
    period: Annotated[str | None, Query(max_length=40, pattern=r"^\d{4}(-\d{1,2})?(\.\.\d{4}(-\d{1,2})?)?$",
                                        description="YYYY, YYYY-MM or YYYY-MM..YYYY-MM (Asia/Shanghai)")] = None,
    start: Annotated[date | None, Query(description="First day received (when no period)")] = None,
    end: Annotated[date | None, Query(description="Last day received (when no period)")] = None,
) -> MetricsPublic:
    """Rates and median/p90 hours per group over cases received in the period."""
    require(user, "view_metrics")
    first, after_last = day_bounds(start, end)  # days in the installation's zone, the last one included
    rows = compute_metrics(session, by=by, period=period, start=first, end=after_last)
    return MetricsPublic(by=by, period=period, rows=[MetricRowPublic(**row.as_dict()) for row in rows])
