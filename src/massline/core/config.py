"""The one configuration object.

Settings come from ``MASSLINE_*`` environment variables (or a ``.env`` file) and CLI flags
override them. Nothing is built at import time: call :func:`get_settings` (cached) or build
``Settings(...)`` explicitly in tests, so tests never inherit a developer's environment.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MASSLINE_", env_file=".env", extra="ignore")

    data_dir: Path | None = Field(
        default=None,
        description="Where the embedded database, trained models and secrets live. "
        "Default: the folder of the SQLite file, or ./var.",
    )
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir.")
    secret_key: str | None = Field(
        default=None, description="Per-installation secret (pseudonyms, hashes, sessions); generated once."
    )
    route_threshold: float = Field(
        default=0.85, description="Below this top-class confidence a message goes to the triage queue."
    )
    near_duplicate_threshold: float = Field(default=0.8, description="Jaccard similarity for near duplicates.")
    fetch_timeout: float = 10.0
    fetch_max_bytes: int = 5_000_000
    user_agent: str = "massline/0.1 (+https://example.invalid/massline)"
    language: str = "zh"
    sla_file: Path | None = Field(
        default=None, description="YAML of deadline rules and the working-day calendar (massline.serve.sla); "
        "default: the built-in rules."
    )
    api_rate_limit: int = Field(
        default=600, description="Open311 POSTs per API key per minute, per server process (0 = unlimited, "
        "which also lifts the throttle of failed staff logins)."
    )
    # background engine (massline.engine)
    broker_url: str | None = Field(
        default=None, description="Celery broker, e.g. amqp://guest:guest@127.0.0.1:5672// (RabbitMQ). Unset: the "
        "embedded engine runs background tasks on a thread pool inside the process that submits them."
    )
    broker_queue: str = Field(default="massline", description="Queue the engine's tasks go to (one per "
                              "installation sharing a broker).")
    redis_url: str | None = Field(
        default=None, description="Redis for counters shared by all processes (rate limits, login throttle); "
        "checked by /readyz when set."
    )
    engine_threads: int = Field(default=2, ge=1, description="Threads of the embedded engine's pool.")
    task_max_retries: int = Field(default=5, ge=0, description="Retries (exponential backoff) before a task "
                                  "becomes a dead-letter record in task_failures.")
    task_retry_base: float = Field(default=2.0, gt=0, description="First retry delay in seconds (doubles each time).")

    def resolved_data_dir(self) -> Path:
        """The data directory of this installation, derived from the database URL when not set."""
        if self.data_dir is not None:
            return self.data_dir
        if self.database_url:
            url = make_url(self.database_url)
            if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
                return Path(url.database).resolve().parent
        return Path("var").resolve()

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir() / 'massline.db'}"

    def models_dir(self) -> Path:
        path = self.resolved_data_dir() / "models"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def resolved_secret_key(self) -> str:
        """The installation secret: from settings, else a file in the data dir created once."""
        if self.secret_key:
            return self.secret_key
        path = self.resolved_data_dir() / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
