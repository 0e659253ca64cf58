"""raw parts: a large input file kept verbatim in fixed-size parts

Revision ID: 0016_raw_parts
Revises: 0003_serve
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_raw_parts"
down_revision: str | Sequence[str] | None = "0003_serve"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "raw_item_parts",
        sa.Column("raw_item_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["raw_item_id"], ["raw_items.id"], name=op.f("fk_raw_item_parts_raw_item_id_raw_items"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("raw_item_id", "seq", name=op.f("pk_raw_item_parts")),
    )


def downgrade() -> None:
    op.drop_table("raw_item_parts")
