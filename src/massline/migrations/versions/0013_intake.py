"""intake: work orders stored before they are routed (durable-first intake)

Revision ID: 0013_intake
Revises: 0003_serve
Create Date: 2026-12-02 14:20:00

A request from Open311 or the portal is committed as a work order before its analysis and
routing run (on the engine); ``routing_pending`` marks those whose routing task has not finished,
so pages, the API and Open311 can say "received, being routed" and the routing task knows it
has work to do. Existing rows were routed when they were opened: false. Runs after
``0005_security``, whose SQLite rebuild of ``work_orders`` then has nothing of ours to copy.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_intake"
down_revision: str | Sequence[str] | None = "0003_serve"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0005_security"


def upgrade() -> None:
    # A plain ADD COLUMN, not a batch rebuild: on SQLite a rebuild would drop the AUTOINCREMENT that
    # 0005_security gave work_orders (request numbers are never handed out twice).
    op.add_column("work_orders", sa.Column("routing_pending", sa.Boolean(), server_default=sa.false(),
                                           nullable=False))
    op.create_index(op.f("ix_work_orders_routing_pending"), "work_orders", ["routing_pending"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_work_orders_routing_pending"), table_name="work_orders")
    with op.batch_alter_table("work_orders", schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("routing_pending")
