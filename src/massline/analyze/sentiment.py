"""Sentiment (negative/neutral/positive) from a small lexicon, with the words as the reason.

Why a lexicon and not a model trained on ../shared/data/sentiment: those are consumer
reviews (hotels, take-away food, shopping); citizen messages are written differently — a
polite "谢谢" closes most complaints. A lexicon tuned for the hotline is transparent and
good enough to sort and chart; the score is ``(pos - neg) / (pos + neg + 1)`` in [-1, 1].
Closing courtesies (谢谢, 感谢) count little; negations directly before a positive word
("不满意", "不方便") are caught by listing the negated forms as negative words.
"""

from __future__ import annotations

from massline.analyze.cues import Cue, CueSet, cues
from massline.core.types import Doc, Result
from massline.pipeline.registry import registry

NAME = "analyze.sentiment"
VERSION = "2"
THRESHOLD = 0.2

RULES: tuple[Cue, ...] = (
    *cues("negative", "不满意|不满|愤怒|气愤|愤慨|失望|寒心|心寒|无奈|痛苦|烦躁|崩溃|绝望|忍无可忍|苦不堪言|"
          "怨声载道|欺骗|诈骗|骗子|恶劣|霸道|蛮横|黑心|不作为|乱作为|推诿|敷衍|刁难|踢皮球|糟糕|太差|很差|"
          "脏乱差|恶臭|刺鼻|噪音|扰民|污染|拖欠|坑|乱收费|不公平|不合理|违法|违规|投诉|严重|难受|"
          "折磨|煎熬|害怕|担心|担忧|不安全|危险|可恶|荒唐|可笑|岂有此理|无人管|没人管|视而不见|"
          "无人问津|不闻不问|不了了之|拒不|强迫|逼迫|侵害|损害|套取|套走|怨言|苦", 1.0, cap=2),
    *cues("negative", "差|脏|乱|臭|吵|骗|烂|难|无法|不方便|至今|为什么|为何|不给|没有落实|未落实", 0.3),
    *cues("positive", "满意|点赞|表扬|赞扬|称赞|好评|高兴|开心|欣慰|优秀|及时|热情|耐心|周到|负责|给力|"
          "辛苦了|为民办实事|感激不尽|非常感谢|衷心感谢|喜大普奔|方便了|改善了|解决了", 1.0, cap=2),
    *cues("positive", "感谢|谢谢|感激", 0.2),
    Cue("positive", r"(?<![你您问])好(?![的像象])", 0.2, name="好"),
)

_CUES = CueSet(RULES, title_weight=1.5)


def classify_sentiment(title: str | None, text: str) -> list[Result]:
    """Two results: ``sentiment`` (the label) and ``sentiment_score`` (the score in [-1, 1])."""
    scores = _CUES.score(title, text)
    pos = scores.scores.get("positive", 0.0)
    neg = scores.scores.get("negative", 0.0)
    score = (pos - neg) / (pos + neg + 1.0)
    if score <= -THRESHOLD:
        label = "negative"
    elif score >= THRESHOLD:
        label = "positive"
    else:
        label = "neutral"
    confidence = 0.5 + abs(score) / 2 if label != "neutral" else 1.0 - abs(score) * 2
    words = scores.reason(None if label == "neutral" else label) or "no sentiment word"
    reason = f"{label} ({score:+.2f}): {words}"
    return [
        Result(NAME, VERSION, "sentiment", label, round(confidence, 4), reason),
        Result(NAME, VERSION, "sentiment_score", round(score, 4), None, reason),
    ]


@registry.register(NAME, version=VERSION, stage="analyze", assigns=("results.sentiment",))
class Sentiment:
    """Sentiment negative/neutral/positive with a score in [-1, 1] and the words that triggered it."""

    name = NAME
    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        for result in classify_sentiment(doc.title, doc.text):
            doc.add_result(result)
        return doc
