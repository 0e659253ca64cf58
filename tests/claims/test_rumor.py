"""The rumor signal: trained from CED posts, saved as plain arrays, explained, never a verdict; the
component writes it only for messages that match no claim."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from massline.claims.ced import read_ced
from massline.claims.component import ClaimCheck
from massline.claims.matcher import IndexedClaim, Matcher
from massline.claims.rumor import load_rumor_model, train
from massline.core.types import Doc


def test_when_trained_saved_and_loaded_then_same_scores_and_reasons_say_signal(tmp_path: Path) -> None:
    posts = read_ced()
    sample = [p for p in posts if p.label == "rumor"][:80] + [p for p in posts if p.label == "non-rumor"][:80]
    model = train(sample, c=16.0)  # C fixed: choosing it is the evaluation's job (massline eval rumor)
    folder = model.save(tmp_path / "rumor")
    loaded = load_rumor_model(folder)
    assert loaded is not None and load_rumor_model(tmp_path / "none") is None
    texts = ["紧急扩散！！！小孩被拐卖，看到的朋友请转发！", "今天天气不错，去公园散步。"]
    assert np.allclose(model.proba(texts), loaded.proba(texts))
    p, reason = loaded.signal(texts[0])
    assert 0.0 <= p <= 1.0 and "信号，非结论" in reason

    matcher = Matcher.build([IndexedClaim("c-oil", "炒菜时放蒜头，蒜头变红就是地沟油", "false")])
    component = ClaimCheck(matcher=matcher, rumor=loaded)
    unmatched = component(Doc(text=texts[0]))
    assert unmatched.result("rumor_signal") is not None
    matched = component(Doc(text="听说炒菜放蒜头，蒜头变红就是地沟油，是真的吗？"))
    match = matched.result("claim_match")
    assert match is not None and match.value["matched"] == "c-oil"
    assert matched.result("rumor_signal") is None  # a matched message shows evidence, not a guess
