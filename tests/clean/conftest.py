"""Fixtures for the cleaning tests: the seed page, the default pipeline, real 泰迪杯 messages."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from massline.clean.components import CLEAN_PIPELINE
from massline.pipeline import Pipeline, build_pipeline

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
SEED = REPO.parent / "shared" / "seed" / "000_26c8609fec4c407e.txt"
TAIDI_DEV = DATA / "taidi2020" / "fj2_dev.csv"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def cleaner() -> Pipeline:
    return build_pipeline(CLEAN_PIPELINE)


@pytest.fixture(scope="session")
def taidi_messages() -> list[tuple[str, str]]:
    """100 random (title, message) pairs from 附件2 dev split, fixed seed so failures reproduce."""
    with TAIDI_DEV.open(encoding="utf-8", newline="") as f:
        rows = [(r["留言主题"], r["留言详情"]) for r in csv.DictReader(f)]
    return random.Random(20200).sample(rows, 100)
