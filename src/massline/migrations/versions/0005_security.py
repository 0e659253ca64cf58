"""security: shared rate counters, session versions, publication flag, ids never reused on SQLite

Revision ID: 0005_security
Revises: 0003_serve
Create Date: 2026-12-02 10:50:00

On SQLite the ``work_orders``, ``messages`` and ``raw_items`` tables are rebuilt (batch mode)
with ``AUTOINCREMENT``, so the highest id is remembered in ``sqlite_sequence`` and never handed
out again — not after its row is deleted, not after a crash (copying the rows into the
rebuilt table records the highest existing id in ``sqlite_sequence``). The migration runs on its own
connection without ``PRAGMA foreign_keys``, so the rebuild cannot cascade into child tables.
PostgreSQL sequences already never reuse a value, so nothing changes there for ids.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_security"
down_revision: str | Sequence[str] | None = "0003_serve"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables whose ids are handed to people (request numbers) or referenced from outside.
AUTOINCREMENT_TABLES = ("raw_items", "messages", "work_orders")


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.Float(), nullable=False),
        sa.Column("last_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_counters")),
    )
    with op.batch_alter_table("rate_counters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_counters_last_at"), ["last_at"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("published_by", sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f("ix_work_orders_public"), ["public"], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        for table in AUTOINCREMENT_TABLES:
            with op.batch_alter_table(table, recreate="always",
                                      table_kwargs={"sqlite_autoincrement": True}) as batch_op:
                del batch_op  # the rebuild is the change; copying the rows seeds sqlite_sequence


def downgrade() -> None:
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_orders_public"))
        batch_op.drop_column("published_by")
        batch_op.drop_column("public")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
    with op.batch_alter_table("rate_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_counters_last_at"))
    op.drop_table("rate_counters")
