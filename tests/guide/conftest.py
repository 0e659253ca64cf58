"""Guide fixtures: real shipped 泰迪杯 附件3 messages (a slice, analysed once per test run, so tests stay fast)."""

from __future__ import annotations

from pathlib import Path

import pytest

from massline.guide.corpus import GuideMessage, read_file
from massline.guide.hot import Analysis, analyse

TAIDI = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "taidi2020"
FJ3 = TAIDI / "fj3_hot_messages_full.csv"
FJ3_SAMPLE = TAIDI / "sample_fj3_30.csv"
#: Keys of a few real multi-message issues of 附件3 (kept whole in the slice) — not the worked examples.
ISSUE_WORDS = ("丽发新城", "伊景园", "凉塘路", "泉星公园", "洪山公园")


def _slice(messages: list[GuideMessage]) -> list[GuideMessage]:
    worked = {str(n) for n in range(360100, 360115)}
    return [m for i, m in enumerate(messages) if m.external_id not in worked
            and (i % 10 == 0 or any(w in m.title for w in ISSUE_WORDS))]


@pytest.fixture(scope="session")
def fj3() -> list[GuideMessage]:
    if not FJ3.exists():
        pytest.skip(f"shipped data missing: {FJ3}")
    return read_file(FJ3)


@pytest.fixture(scope="session")
def fj3_slice(fj3: list[GuideMessage]) -> list[GuideMessage]:
    return _slice(fj3)


@pytest.fixture(scope="session")
def slice_analysis(fj3_slice: list[GuideMessage]) -> Analysis:
    return analyse(fj3_slice)
