"""Operations endpoints: ``/readyz`` (database, broker, Redis) and the administrators' view of the engine.

``/healthz`` (in the app factory) says the process is alive; ``/readyz`` says it can do its job,
so a load balancer stops sending requests to a web process whose database or broker is away
(503 with what failed) instead of letting them fail one by one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import select

from massline.core.errors import PermissionDenied
from massline.db.models.engine import TaskFailure
from massline.db.models.users import User
from massline.engine.status import readiness, status
from massline.web.api.auth import CurrentUser
from massline.web.api.staff_errors import ERROR_RESPONSES, StaffRoute
from massline.web.deps import SessionDep, SettingsDep

router = APIRouter()
admin = APIRouter(prefix="/api/admin", tags=["engine"], route_class=StaffRoute, responses=ERROR_RESPONSES)


class TaskFailureOut(BaseModel):
    id: int
    task_id: str
    name: str
    args: dict[str, Any]
    attempts: int
    error: str
    worker: str | None
    failed_at: datetime
    resolved_at: datetime | None
    resolution: str | None


@router.get("/readyz", tags=["meta"], operation_id="meta-ready")
def ready(settings: SettingsDep) -> JSONResponse:
    """200 when the database (and the broker and Redis, when configured) answer; 503 naming what failed."""
    ok, checks = readiness(settings)
    return JSONResponse({"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503)


def _require_admin(user: User) -> None:
    if user.role != "administrator":
        raise PermissionDenied(f"user {user.username!r} (role {user.role}) may not read the engine's state")


@admin.get("/engine", operation_id="engine-status")
def engine_status(settings: SettingsDep, user: CurrentUser) -> dict[str, Any]:
    """Queued, running and finished tasks, unresolved dead letters, live workers (as ``massline status``)."""
    _require_admin(user)
    return status(settings)


@admin.get("/task-failures", operation_id="engine-task-failures", response_model=list[TaskFailureOut])
def task_failures(session: SessionDep, user: CurrentUser,
                  unresolved: Annotated[bool, Query(description="Only those nobody acted on yet")] = True,
                  limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[TaskFailureOut]:
    """Dead-letter records: tasks that failed after all their retries, newest first."""
    _require_admin(user)
    query = select(TaskFailure).order_by(TaskFailure.id.desc()).limit(limit)
    if unresolved:
        query = query.where(TaskFailure.resolved_at.is_(None))
    return [TaskFailureOut.model_validate(row, from_attributes=True) for row in session.scalars(query)]


router.include_router(admin)
