"""docker-compose.yml, checked without Docker.

Why: the compose file cannot be run here (no Docker daemon, no image registry), and a deployment
file that names a setting we do not read or a command we do not have fails only on the operator's
machine. These checks keep it in step with the code: public images only, every ``MASSLINE_*``
variable a real setting, every ``massline …`` command in a service a real command, and the
web/worker split the README describes.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from massline.cli.app import app
from massline.core.config import Settings

COMPOSE = Path(__file__).resolve().parents[1] / "docker-compose.yml"
#: read from the environment directly, not through Settings (where the shipped data lives)
OTHER_VARIABLES = {"MASSLINE_SHARED_DATA"}


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"])


def test_the_stack_is_the_documented_split_on_public_images(services: dict[str, Any]) -> None:
    assert {"postgres", "rabbitmq", "redis", "init", "web", "worker"} <= set(services)
    for name, service in services.items():
        assert "build" not in service, f"{name}: built locally, not a public image"
        assert re.fullmatch(r"[a-z0-9.-]+:[\w.-]+", service["image"]), f"{name}: image {service['image']!r}"
    for app_service in ("init", "web", "worker"):
        env = services[app_service]["environment"]
        assert env["MASSLINE_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["MASSLINE_BROKER_URL"].startswith("amqp://") and env["MASSLINE_REDIS_URL"].startswith("redis://")
    assert services["web"]["depends_on"] == {"init": {"condition": "service_completed_successfully"}}


def test_every_massline_variable_is_a_setting_we_read(services: dict[str, Any]) -> None:
    known = {f"MASSLINE_{field.upper()}" for field in Settings.model_fields} | OTHER_VARIABLES
    for name, service in services.items():
        for variable in service.get("environment") or {}:
            if variable.startswith("MASSLINE_"):
                assert variable in known, f"{name}: {variable} is not a setting"


def test_every_massline_command_in_a_service_exists(services: dict[str, Any]) -> None:
    runner = CliRunner()
    commands = []
    for service in services.values():
        command = service.get("command")
        if isinstance(command, str):
            commands += [part.strip() for part in re.split(r"&&", shlex.split(command)[-1])]
    commands = [c for c in commands if c.startswith("massline ")]
    assert len(commands) >= 5
    for command in commands:
        words = shlex.split(command)[1:]
        path = []  # the subcommand words: what comes before the first option
        for word in words:
            if word.startswith("-"):
                break
            path.append(word)
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, f"{command!r}: {result.output[-300:]}"
        for option in (w.split("=")[0] for w in words if w.startswith("--")):
            assert option in result.output, f"{command!r}: no option {option}"
