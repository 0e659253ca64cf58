"""forecast: stored demand forecasts

Revision ID: 0012_forecast
Revises: 0003_serve
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_forecast"
down_revision: str | Sequence[str] | None = "0003_serve"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demand_forecasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("freq", sa.String(length=1), nullable=False),
        sa.Column("horizon", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("data_start", sa.Date(), nullable=False),
        sa.Column("data_end", sa.Date(), nullable=False),
        sa.Column("sparse", sa.Boolean(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand_forecasts")),
    )
    op.create_index(op.f("ix_demand_forecasts_made_at"), "demand_forecasts", ["made_at"])
    op.create_index(op.f("ix_demand_forecasts_level"), "demand_forecasts", ["level"])


def downgrade() -> None:
    op.drop_table("demand_forecasts")
