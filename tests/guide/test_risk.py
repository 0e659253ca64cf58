"""Risk scores always come with reasons; collective-action and safety words raise them."""

from __future__ import annotations

from massline.guide.hot import Analysis, rank_issues
from massline.guide.risk import score_issue, score_messages


def test_collective_and_safety_words_raise_risk_with_reasons() -> None:
    calm = score_messages([("咨询A市公园开放时间", "请问公园几点开门")], users=1, places=1)
    hot = score_messages([("A市某小区业主联名维权", "燃气管道漏气，老人孩子危险，业主集体上访"),
                          ("再次反映燃气泄漏", "多次反映仍未解决，紧急")], users=12, places=1)
    assert hot.score > calm.score and hot.level == "高" and calm.level == "低"
    text = " ".join(hot.reasons)
    assert "collective" in text and "safety" in text and "联名" in text and "燃气" in text


def test_every_real_hot_issue_has_a_risk_with_reasons(slice_analysis: Analysis) -> None:
    for issue in rank_issues(slice_analysis, top=10):
        risk = score_issue(slice_analysis, issue)
        assert risk.reasons and risk.level in ("高", "中", "低")
