"""A tiny evidence base (three claims) shared by the claims tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CLAIMS = [
    {"claim_id": "c-oil", "claim": "炒菜时放一颗剥皮的蒜头，如果蒜头变红色就是地沟油", "verdict": "false",
     "evidence": "食品安全专家：大蒜变色与地沟油无关。", "source_url": "https://example.org/oil",
     "source_title": "专家解读", "date": "2012-08-01", "variants": ["蒜头变红说明是地沟油"]},
    {"claim_id": "c-kid", "claim": "泉州市警察局抓到拐卖小孩犯罪团伙，获救一名5岁云南昭通小孩，请帮忙寻找家人",
     "verdict": "false", "evidence": "泉州警方辟谣：没有此事。", "variants": "泉州获救5岁男孩寻亲|昭通男孩寻亲"},
    {"claim_id": "c-water", "claim": "A市自来水厂水源被污染，近期自来水不能喝", "verdict": "misleading",
     "evidence": "水务集团：水质检测全部达标。", "date": "2019-05-02"},
]


@pytest.fixture
def claims_file(tmp_path: Path) -> Path:
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CLAIMS) + "\n", encoding="utf-8")
    return path
