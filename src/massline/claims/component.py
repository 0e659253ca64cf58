"""``analyze.claims``: match each message against the evidence base; rumor signal when nothing matches.

Writes ``claim_match`` (``{matched, review, candidates, words}``; confidence = calibrated score
of the best candidate; reason = claim, verdict and the matching words) and, for a message that
matches no claim, ``rumor_signal`` (``{score, flag}``, with the words that pushed it). Neither is
an action: a matched message stays as it is and shows the evidence; an uncertain match goes to
the review queue (``massline.claims.desk.queue_reviews``, called by the analysis run). With an
empty evidence base and no rumor model the component writes nothing.
"""

from __future__ import annotations

from typing import Any

from massline.analyze.segment import doc_text
from massline.claims.evidence import VERDICTS
from massline.claims.matcher import Matcher
from massline.claims.rumor import SIGNAL_AT, RumorModel
from massline.core.types import Doc, Result
from massline.pipeline.registry import registry

NAME = "analyze.claims"
VERSION = "1"


def match_value(matcher: Matcher, text: str) -> tuple[dict[str, Any], float, str] | None:
    """``(value, confidence, reason)`` of the ``claim_match`` result, or None when no claim shares a word."""
    result = matcher.match(text)
    if not result.candidates:
        return None
    best = result.candidates[0]
    value = {"matched": result.matched.claim.claim_id if result.matched else None, "review": result.review,
             "candidates": [c.to_dict() for c in result.candidates], "words": best.words}
    verdict = VERDICTS.get(best.claim.verdict, best.claim.verdict)
    decision = "匹配" if result.matched else ("待人工复核" if result.review else "未达阈值")
    reason = f"{decision}: {best.claim.claim_id}（{verdict}）{best.score:.2f}；相同词语: {'、'.join(best.words)}"
    return value, best.score, reason


@registry.register(NAME, version=VERSION, stage="analyze", assigns=("results.claim_match", "results.rumor_signal"))
class ClaimCheck:
    """Claim matching against the evidence base; a rumor signal when nothing matches."""

    name = NAME
    version = VERSION

    def __init__(self, matcher: Matcher | None = None, rumor: RumorModel | None = None) -> None:
        self.matcher = matcher if matcher is not None and len(matcher.index) else None
        self.rumor = rumor

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        found = match_value(self.matcher, text) if self.matcher is not None else None
        if found is not None:
            value, confidence, reason = found
            doc.add_result(Result(NAME, VERSION, "claim_match", value, round(confidence, 4), reason))
            if value["matched"]:
                return doc
        if self.rumor is not None:
            p, reason = self.rumor.signal(text)
            doc.add_result(Result(NAME, f"{VERSION}/rumor{self.rumor.meta.get('version', '')}", "rumor_signal",
                                  {"score": round(p, 4), "flag": p >= SIGNAL_AT}, round(p, 4), reason))
        return doc
