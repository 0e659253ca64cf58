"""The one configuration object.

Settings come from ``MASSLINE_*`` environment variables (or a ``.env`` file) and CLI flags
override them. Nothing is built at import time: call :func:`get_settings` (cached) or build
``Settings(...)`` explicitly in tests, so tests never inherit a developer's environment.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

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
    timezone: str = Field(
        default="Asia/Shanghai", description="The installation's time zone: how times are shown and how dates "
        "without a time (a 'date to' filter, a 留言时间) are read. Stored times are always UTC."
    )
    api_rate_limit: int = Field(
        default=600, description="Open311 POSTs per API key per minute, counted across every worker "
        "(0 = unlimited, which also lifts the throttle of failed logins)."
    )
    form_rate_limit: int = Field(
        default=10, description="Public portal submissions per client address per minute, across every worker "
        "(0 = unlimited)."
    )
    redis_url: str | None = Field(
        default=None, description="Redis URL for the shared login/rate counters (default: the database); "
        "checked by /readyz when set."
    )
    https: bool = Field(default=False, description="Served over HTTPS: the session cookie is marked Secure.")
    jurisdiction_id: str = Field(
        default="massline", description="The Open311 jurisdiction_id this endpoint serves (others are refused)."
    )

    segment_k: int = Field(
        default=10, ge=10, description="Audience segments: a district × topic × channel cell is shown or exported only "
        "when it counts at least this many people (k-anonymity; never below 10)."
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000", description="Absolute address of the public site (feeds, e-mail links)."
    )
    smtp_host: str | None = Field(default=None, description="SMTP server for subscription e-mail (unset = no e-mail).")
    smtp_port: int = 25
    smtp_from: str = "massline@localhost"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    scheduler_interval: float = Field(
        default=30.0, description="Seconds between runs of the in-process scheduler (scheduled posts, webhook "
        "retries) in the embedded setup; 0 switches it off (e.g. when a worker engine runs it)."
    )
    web_max_inflight: int = Field(
        default=48, ge=0, description="Requests one web process works on at once; one more is answered 503 with "
        "Retry-After at once (load shedding: an overloaded server keeps doing useful work instead of serving "
        "requests its clients gave up on). 0 switches it off. /healthz and /readyz are never shed."
    )
    webhook_max_attempts: int = Field(default=5, description="Webhook delivery attempts before giving up.")
    comment_rate_limit: int = Field(default=5, description="Comments / questions per client per 10 minutes.")

    # background engine (massline.engine)
    broker_url: str | None = Field(
        default=None, description="Celery broker, e.g. amqp://guest:guest@127.0.0.1:5672// (RabbitMQ). Unset: the "
        "embedded engine runs background tasks on a thread pool inside the process that submits them."
    )
    broker_queue: str = Field(default="massline", description="Queue the engine's tasks go to (one per "
                              "installation sharing a broker).")
    engine_threads: int = Field(default=2, ge=1, description="Threads of the embedded engine's pool.")
    task_max_retries: int = Field(default=5, ge=0, description="Retries (exponential backoff) before a task "
                                  "becomes a dead-letter record in task_failures.")
    task_retry_base: float = Field(default=2.0, gt=0, description="First retry delay in seconds (doubles each time).")
    intake_routing: Literal["inline", "background"] = Field(
        default="inline", description="Without a broker, where the routing of a request stored by Open311 or the "
        "portal runs: 'inline' (the same engine task, in the request right after its commit; retried on the "
        "embedded pool if it fails) or 'background' (on the embedded pool; the answer does not wait). With "
        "MASSLINE_BROKER_URL it always goes to the workers."
    )
    route_gather: int = Field(
        default=50, ge=0, description="PostgreSQL: a routing task also routes up to this many other requests still "
        "waiting for their routing (FOR UPDATE SKIP LOCKED, their own tasks marked done), so a backlog after a "
        "burst is analysed in batches rather than one request per task; 0 = each task routes only its own.")
    route_coalesce: float = Field(
        default=0.1, ge=0, description="With a broker and PostgreSQL: the routing tasks a web process commits within "
        "this many seconds go to the broker as one message (its task gathers the others, see route_gather); "
        "0 = one message per request.")
    task_republish_after: float = Field(
        default=60.0, gt=0, description="With a broker: a task still queued (or running on a worker that stopped "
        "beating) this many seconds after it was due is published again by the workers' sweep, once the broker "
        "queue is empty — a message the broker lost (restart, failed publish) is not work lost.")

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
