"""Migration ``0005_security`` on a SQLite database with data: rows and their children survive the
AUTOINCREMENT rebuild, and the highest id is never handed out again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from massline.db.session import upgrade

ROWS = """
INSERT INTO sources (id, name, kind, created_at) VALUES (1, 'web form', 'form', '2026-01-01 00:00:00');
INSERT INTO messages (id, source_id, body, original, content_type, received_at, flags, meta, status)
  VALUES (7, 1, '路灯不亮', '路灯不亮', 'text/plain', '2026-01-01 00:00:00', '[]', '{}', 'new');
INSERT INTO work_orders (id, token, message_id, source, description, public_description, status, priority,
  attributes, created_at, updated_at, reopen_count)
  VALUES (41, 't41', 7, 'web', '路灯不亮', '路灯不亮', 'new', 'normal', '{}', '2026-01-01', '2026-01-01', 0),
         (42, 't42', 7, 'web', '噪音', '噪音', 'new', 'normal', '{}', '2026-01-01', '2026-01-01', 0);
INSERT INTO work_order_events (work_order_id, at, actor, kind, detail) VALUES (41, '2026-01-01', 'x', 'created', '{}');
"""


def test_when_migrated_with_data_then_rows_stay_and_ids_are_never_reused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0003_serve")
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        for statement in filter(str.strip, ROWS.split(";")):
            conn.execute(text(statement))
    upgrade(url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM work_order_events")).scalar() == 1  # no cascade on rebuild
        assert conn.execute(text("SELECT id, public, published_by FROM work_orders ORDER BY id")).all() == [
            (41, 0, None), (42, 0, None)]
        sequences = {name: seq for name, seq in conn.execute(text("SELECT name, seq FROM sqlite_sequence"))}
        assert sequences["work_orders"] == 42 and sequences["messages"] == 7
        assert "AUTOINCREMENT" in conn.execute(text(
            "SELECT sql FROM sqlite_master WHERE name = 'work_orders'")).scalar_one()
        conn.execute(text("DELETE FROM work_orders WHERE id = 42"))
        conn.execute(text(
            "INSERT INTO work_orders (token, source, description, public_description, status, priority, attributes,"
            " created_at, updated_at, reopen_count) VALUES ('t', 'web', 'd', 'd', 'new', 'normal', '{}',"
            " '2026-01-02', '2026-01-02', 0)"))
        assert conn.execute(text("SELECT MAX(id) FROM work_orders")).scalar() == 43  # 42 is never reissued
    engine.dispose()
