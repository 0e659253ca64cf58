"""Fixtures for analysis tests: a hand-made fake classifier and stored messages.

The fake follows the classifier contract (``classes``, ``version``, ``predict``,
``predict_proba``, ``explain``) with keyword rules, so pipeline, routing and triage tests run
in milliseconds without training anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest
from sqlalchemy.orm import Session

from massline.db.models import Message, Source

CATEGORIES = ("城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生")

#: keyword → (category, calibrated probability)
KEYWORDS = {
    "噪音": ("环境保护", 0.95),
    "污染": ("环境保护", 0.93),
    "公交": ("交通运输", 0.91),
    "学校": ("教育文体", 0.90),
    "工资": ("劳动和社会保障", 0.97),
    "物业": ("城乡建设", 0.55),  # unsure on purpose: goes to triage
}


class FakeCategoryModel:
    """Keyword classifier standing in for ``CategoryModel``; ``version`` tells runs apart."""

    def __init__(self, version: str = "fake-1") -> None:
        self.classes = list(CATEGORIES)
        self.version = version

    def _one(self, text: str) -> tuple[str, float]:
        for word, (label, prob) in KEYWORDS.items():
            if word in text:
                return label, prob
        return "城乡建设", 0.40

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        return [self._one(t) for t in texts]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        out = np.full((len(texts), len(self.classes)), 0.0)
        for i, (label, prob) in enumerate(self.predict(texts)):
            out[i, :] = (1 - prob) / (len(self.classes) - 1)
            out[i, self.classes.index(label)] = prob
        return out

    def explain(self, text: str, label: str, k: int = 5) -> list[tuple[str, float]]:
        return [(w, 1.0) for w in KEYWORDS if w in text][:k]


MESSAGES = (
    ("A2区万家丽北路工地夜间施工噪音扰民",
     "A市A2区泉塘街道附近工地每晚施工到凌晨，噪音太大，严重影响休息，请尽快处理！"),
    ("拖欠工资", "K8县某公司拖欠我们农民工工资三个月，过年回家的钱都没有，恳请帮忙讨回血汗钱。"),
    ("咨询公交线路", "请问A市从A1区到A3区的公交什么时候开通？"),
    ("小区物业乱收费", "我们丽发新城小区物业乱收费，业主很不满。"),
)


@pytest.fixture
def fake_model() -> FakeCategoryModel:
    return FakeCategoryModel()


AddMessages = Callable[..., list[int]]


@pytest.fixture
def add_messages() -> AddMessages:
    """``add_messages(session, rows=MESSAGES)``: store ``(title, body)`` rows, return their ids."""
    return _add_messages


def _add_messages(session: Session, rows: Sequence[tuple[str, str]] = MESSAGES) -> list[int]:
    src = Source(name=f"test-{len(rows)}-{id(rows)}", kind="file")
    session.add(src)
    session.flush()
    ids = []
    for title, body in rows:
        m = Message(source_id=src.id, title=title, body=body, original=body)
        session.add(m)
        session.flush()
        ids.append(m.id)
    session.commit()
    return ids
