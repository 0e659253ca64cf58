"""Urgency (high/normal/low) from trigger words, with the triggers as the reason.

Why these triggers: a 12345 dispatcher's first question is "is someone in danger or without
a basic service right now?" — danger to life and buildings (危险, 倒塌, 火灾), loss of water,
power or heating, unpaid wages before a holiday, and vulnerable people (儿童, 老人). A message
whose request type is an inquiry or a suggestion with (almost) none of these is low.
Everything else is normal.
"""

from __future__ import annotations

from massline.analyze import request_type as _request_type
from massline.analyze.cues import Cue, CueSet, cues
from massline.analyze.request_type import classify_request_type
from massline.core.types import Doc, Result
from massline.pipeline.registry import registry

NAME = "analyze.urgency"
VERSION = "2"
HIGH_AT = 2.0  # trigger weight needed for "high"

RULES: tuple[Cue, ...] = (
    *cues("high", "危险|安全隐患|隐患|紧急|十万火急|刻不容缓|倒塌|坍塌|塌方|垮塌|火灾|着火|起火|失火|爆炸|"
          "燃气泄漏|煤气泄漏|漏气|触电|溺水|洪水|内涝|救命|生命安全|人身安全|死亡|身亡|受伤|中毒|危房", 1.5),
    Cue("high", r"(?<![烟柴怒如])火(?![车锅箭热腿柴星力化葬候速如])", 0.8, name="火"),
    *cues("high", "漏水|爆管|停水|停电|断水|断电|没水|没电|无水|没有暖气|没暖气|无暖气|供暖|欠薪|拖欠工资|血汗钱|"
          "工资没发|讨薪|过年回家|癌症|饮用水|消防|生命通道|偷工减料", 1.0),
    Cue("high", r"拖欠[^，。！？]{0,8}工资", 1.0, name="拖欠…工资"),
    *cues("high", "儿童|小孩|孩子|学生|老人|孕妇|残疾|瘫痪|病人|重病", 0.5),
    *cues("high", "马上|立即|尽快|立刻|赶紧|急需|急", 0.4),
)

#: Request types that are low urgency unless a trigger says otherwise.
LOW_TYPES = frozenset({"inquiry", "suggestion", "praise"})

_CUES = CueSet(RULES, title_weight=1.5)


def classify_urgency(title: str | None, text: str, request_type: Result | None = None) -> Result:
    """``request_type``: the request type of the same title and text when already classified
    (the pipeline's ``analyze.request_type`` ran just before), else classified here."""
    scores = _CUES.score(title, text)
    high = scores.scores.get("high", 0.0)
    triggers = scores.reason("high")
    if request_type is None:
        request_type = classify_request_type(title, text)
    if high >= HIGH_AT:
        label, confidence = "high", min(0.95, 0.5 + 0.1 * high)
        reason = f"high: {triggers}"
    elif request_type.value in LOW_TYPES and high < 1.0:
        label, confidence = "low", 0.6
        reason = f"low: request type {request_type.value} ({request_type.reason})" + (
            f"; weak triggers {triggers}" if triggers else "")
    else:
        label, confidence = "normal", 0.6
        reason = f"normal: triggers below {HIGH_AT} ({triggers})" if triggers else "normal: no trigger word"
    return Result(NAME, VERSION, "urgency", label, round(confidence, 4), reason)


@registry.register(NAME, version=VERSION, stage="analyze", assigns=("results.urgency",))
class Urgency:
    """Urgency high/normal/low from trigger words (危险, 停水, 欠薪, 儿童, …)."""

    name = NAME
    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        # The request type the pipeline already wrote (same rules and version, same title and text:
        # components before this one do not change them) — classifying it again cost as much again.
        known = doc.result("request_type")
        if known is not None and (known.component, known.version) != (_request_type.NAME, _request_type.VERSION):
            known = None
        doc.add_result(classify_urgency(doc.title, doc.text, known))
        return doc
