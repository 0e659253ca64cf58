"""guide: incidents, their events and links

Revision ID: 0008_guide
Revises: 0003_serve
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_guide"
down_revision: str | Sequence[str] | None = "0003_serve"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guide_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("origin_kind", sa.String(length=20), nullable=False),
        sa.Column("origin_ref", sa.String(length=200), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("risk_score", sa.Float(), nullable=True),
        sa.Column("risk_level", sa.String(length=10), nullable=True),
        sa.Column("risk_reasons", sa.JSON(), nullable=False),
        sa.Column("escalation", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_guide_incidents_department_id_departments")),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_guide_incidents_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_incidents")),
    )
    with op.batch_alter_table("guide_incidents", schema=None) as batch_op:
        for col in ("origin_ref", "stage", "status", "owner_id", "department_id", "created_at"):
            batch_op.create_index(batch_op.f(f"ix_guide_incidents_{col}"), [col], unique=False)

    op.create_table(
        "guide_incident_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("from_stage", sa.String(length=20), nullable=True),
        sa.Column("to_stage", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["guide_incidents.id"], ondelete="CASCADE",
                                name=op.f("fk_guide_incident_events_incident_id_guide_incidents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_incident_events")),
    )
    with op.batch_alter_table("guide_incident_events", schema=None) as batch_op:
        for col in ("incident_id", "at", "kind"):
            batch_op.create_index(batch_op.f(f"ix_guide_incident_events_{col}"), [col], unique=False)

    op.create_table(
        "guide_incident_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["guide_incidents.id"], ondelete="CASCADE",
                                name=op.f("fk_guide_incident_links_incident_id_guide_incidents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_incident_links")),
        sa.UniqueConstraint("incident_id", "kind", "target_id", name="uq_guide_incident_links_target"),
    )
    with op.batch_alter_table("guide_incident_links", schema=None) as batch_op:
        for col in ("incident_id", "target_id"):
            batch_op.create_index(batch_op.f(f"ix_guide_incident_links_{col}"), [col], unique=False)


def downgrade() -> None:
    op.drop_table("guide_incident_links")
    op.drop_table("guide_incident_events")
    op.drop_table("guide_incidents")
