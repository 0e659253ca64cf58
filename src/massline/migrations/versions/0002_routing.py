"""routing: category → department rules, triage decisions

Revision ID: 0002_routing
Revises: 0001_foundation
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_routing"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
        sa.UniqueConstraint("category", name=op.f("uq_routing_rules_category")),
    )
    op.create_table(
        "triage_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("previous", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"],
            name=op.f("fk_triage_decisions_message_id_messages"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_decisions")),
    )
    with op.batch_alter_table("triage_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_triage_decisions_message_id"), ["message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_triage_decisions_decided_at"), ["decided_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("triage_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_triage_decisions_decided_at"))
        batch_op.drop_index(batch_op.f("ix_triage_decisions_message_id"))
    op.drop_table("triage_decisions")
    op.drop_table("routing_rules")
