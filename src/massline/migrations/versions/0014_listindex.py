"""listindex: a partial index for the public Open311 list

Revision ID: 0014_listindex
Revises: 0013_intake (which depends on 0005_security: that migration adds work_orders.public and
rebuilds the table on SQLite, which must not happen after this index exists)

Why: requests are private by default, so the list of published ones, newest first, would walk the
``created_at`` index through every private row before it finds a page. The partial index holds only
published rows, in the list's order (``created_at``, ``id``), for offset and keyset paging alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_listindex"
down_revision: str | Sequence[str] | None = "0013_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    public = sa.text("public")
    op.create_index("ix_work_orders_published_list", "work_orders", ["created_at", "id"],
                    postgresql_where=public, sqlite_where=public)


def downgrade() -> None:
    op.drop_index("ix_work_orders_published_list", table_name="work_orders")
