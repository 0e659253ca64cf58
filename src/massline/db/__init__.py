"""Storage: SQLAlchemy 2 typed models, sessions and repositories (SQLite embedded, PostgreSQL in production)."""
