"""The 0003_serve migration creates exactly what the serve models declare (no drift)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from massline.db.base import Base
from massline.db.session import get_engine

SERVE_TABLES = {"departments", "users", "api_keys", "contacts", "work_orders", "work_order_events",
                "work_order_cohandlers", "work_order_replies", "work_order_ratings",
                "calendar_overrides", "notifications"}  # 0004_loop


def _table_of(diff: tuple[object, ...]) -> str | None:
    """The table a diff entry is about: a table name, a Table, or a Column/Index/Constraint of one."""
    for item in diff:
        table = getattr(item, "table", item)
        name = table if isinstance(table, str) else getattr(table, "name", None)
        if name in SERVE_TABLES:
            return str(name)
    return None


def test_when_migrated_then_serve_tables_match_the_models(sqlite_url: str) -> None:
    with get_engine(sqlite_url).connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    flat = [d if isinstance(d, tuple) else d[0] for d in diffs]
    ours = [d for d in flat if _table_of(d) in SERVE_TABLES]
    assert ours == []
