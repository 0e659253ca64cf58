"""Service metrics (三率 and times) as the API returns them; definitions in ``massline.serve.metrics``."""

from __future__ import annotations

from pydantic import BaseModel, Field


class MetricRowPublic(BaseModel):
    group: str = Field(description="Value of the grouping dimension, or 全部 for the total")
    received: int
    responded: int
    responded_in_time: int
    resolved: int
    response_due: int = Field(description="Received cases whose response is due (answered, or past the deadline)")
    close_due: int = Field(description="Received cases whose close is due (closed, or past the deadline)")
    rated: int
    satisfied: int
    response_rate: float | None = Field(description="响应率: responded within deadline / response due")
    resolution_rate: float | None = Field(description="解决率: closed / close due")
    satisfaction_rate: float | None = Field(description="满意率: (满意 + 基本满意) / rated")
    response_hours_median: float | None
    response_hours_p90: float | None
    close_hours_median: float | None
    close_hours_p90: float | None


class MetricsPublic(BaseModel):
    by: str | None
    period: str | None
    rows: list[MetricRowPublic]
