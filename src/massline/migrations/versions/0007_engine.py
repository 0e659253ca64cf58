"""engine: task ledger, dead-letter records, worker heartbeats, shared LSH band index

Revision ID: 0007_engine
Revises: 0003_serve
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_engine"
down_revision: str | Sequence[str] | None = "0003_serve"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "engine_tasks",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("batch", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engine_tasks")),
        sa.UniqueConstraint("key", name=op.f("uq_engine_tasks_key")),
    )
    op.create_index(op.f("ix_engine_tasks_name"), "engine_tasks", ["name"], unique=False)
    op.create_index(op.f("ix_engine_tasks_batch"), "engine_tasks", ["batch"], unique=False)
    op.create_index(op.f("ix_engine_tasks_state"), "engine_tasks", ["state"], unique=False)
    op.create_table(
        "task_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("traceback", sa.Text(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_failures")),
    )
    op.create_index(op.f("ix_task_failures_task_id"), "task_failures", ["task_id"], unique=False)
    op.create_index(op.f("ix_task_failures_failed_at"), "task_failures", ["failed_at"], unique=False)
    op.create_table(
        "engine_workers",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_engine_workers")),
    )
    op.create_index(op.f("ix_engine_workers_last_seen"), "engine_workers", ["last_seen"], unique=False)
    op.create_table(
        "lsh_bands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("hash", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name=op.f("fk_lsh_bands_message_id_messages"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lsh_bands")),
    )
    op.create_index("ix_lsh_bands_band_hash", "lsh_bands", ["band", "hash"], unique=False)
    op.create_index(op.f("ix_lsh_bands_message_id"), "lsh_bands", ["message_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_lsh_bands_message_id"), table_name="lsh_bands")
    op.drop_index("ix_lsh_bands_band_hash", table_name="lsh_bands")
    op.drop_table("lsh_bands")
    op.drop_index(op.f("ix_engine_workers_last_seen"), table_name="engine_workers")
    op.drop_table("engine_workers")
    op.drop_index(op.f("ix_task_failures_failed_at"), table_name="task_failures")
    op.drop_index(op.f("ix_task_failures_task_id"), table_name="task_failures")
    op.drop_table("task_failures")
    op.drop_index(op.f("ix_engine_tasks_state"), table_name="engine_tasks")
    op.drop_index(op.f("ix_engine_tasks_batch"), table_name="engine_tasks")
    op.drop_index(op.f("ix_engine_tasks_name"), table_name="engine_tasks")
    op.drop_table("engine_tasks")
