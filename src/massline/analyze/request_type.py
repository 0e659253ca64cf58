"""Request type: 投诉/求助/咨询/建议/表扬/举报 from cue words, with the cues as the reason.

Labels are English codes (complaint, help, inquiry, suggestion, praise, report); ``LABELS_ZH``
gives the Chinese names for display. Definitions used for the hand-checked sample
(tests/analyze/data/request_type_sample.jsonl):

- complaint 投诉: a public nuisance or bad service the writer wants stopped (noise, fees, dirt).
- help 求助: the writer's own problem they ask the government to solve (wages, pension, housing).
- inquiry 咨询: a question about a policy, procedure or fact.
- suggestion 建议: a proposal for something new or better.
- praise 表扬: thanks or praise for a person or office.
- report 举报: exposing wrongdoing by a named party (illegal business, fraud, misconduct).

When no cue fires, the answer is "complaint" (the most common type on the 12345 line) with
low confidence, and the reason says so.
"""

from __future__ import annotations

from massline.analyze.cues import Cue, CueSet, cues
from massline.core.types import Doc, Result
from massline.pipeline.registry import registry

NAME = "analyze.request_type"
VERSION = "2"
DEFAULT = "complaint"
LABELS = ("complaint", "help", "inquiry", "suggestion", "praise", "report")
LABELS_ZH = {
    "complaint": "投诉", "help": "求助", "inquiry": "咨询", "suggestion": "建议", "praise": "表扬", "report": "举报",
}

RULES: tuple[Cue, ...] = (
    *cues("report", "举报|检举|揭发|实名反映", 3.0),
    *cues("report", "违法|违规|非法|无证|偷排|传销|骗局|贪污|受贿|回扣|腐败|造假|伪造|套取|敛财|内定|勾结|"
          "徇私|私设|黑作坊|涉嫌|逍遥法外|查处|严查|查办|纪委|资格证|执照|补课", 0.9, cap=2),
    *cues("complaint", "投诉", 2.0),
    *cues("complaint", "扰民|噪音|噪声|乱收费|涨价|不作为|脏乱差|污染|臭|霸王条款|推诿|刁难|态度恶劣|"
          "严重影响|乱停|乱摆|占道|管管|不合理|不公平|太差|破损|堵|无人管|没人管|视而不见|难道|凭什么", 0.7),
    Cue("complaint", r"[！!]", 0.2, cap=3, name="感叹号"),
    *cues("help", "求助|求救|救救|帮帮|帮忙|帮我|帮助我们|做主|讨薪|维权|拖欠|欠薪|工资没发|血汗钱|补偿|赔偿|"
          "待遇|落实|恳请|恳求|请求解决|给予解决|请求帮助|困难|无奈|走投无路|叩|生活不能自理|退休|工龄|下岗", 0.8),
    *cues("inquiry", "咨询|请问|请教|问一下|想问|问下|想了解|问个问题", 2.2),
    *cues("inquiry", "是否|能否|可否|有没有|怎么办理|哪些|多少|什么时候|何时|需要提供|条件|标准|流程|资料", 0.5),
    *cues("suggestion", "建议|提议|倡议|呼吁|提个意见|提点个人的意见|几点意见|提出意见|迠议", 2.5),
    *cues("suggestion", "希望|应该|应当|早日|增设|增加|修建|改为|完善|提高|降低|取消|推行|盼|能不能", 0.6),
    *cues("praise", "表扬|点赞|赞扬|称赞|锦旗|感谢信|好评|为民办实事|辛苦了|值得学习", 2.5),
    *cues("praise", "致敬|感谢|谢谢|感激", 0.4),
    Cue("inquiry", r"[？?]", 0.3, cap=2, name="问号"),
)

#: Prior scores: a message with no clear cue is most likely a complaint (the common case).
PRIOR = {"complaint": 1.0}

_CUES = CueSet(RULES)


def classify_request_type(title: str | None, text: str) -> Result:
    """Score every label, pick the best, and give the cues behind it as the reason."""
    scores = _CUES.score(title, text, PRIOR)
    label, confidence = scores.best(DEFAULT)
    cue_reason = scores.reason(label)
    if not scores.hits:
        reason = "no cue word found; default 投诉"
    elif not cue_reason:
        reason = f"{LABELS_ZH[label]}: default (cues for other types too weak: {scores.reason()})"
    else:
        reason = f"{LABELS_ZH[label]}: {cue_reason}"
    return Result(NAME, VERSION, "request_type", label, round(confidence, 4), reason)


@registry.register(NAME, version=VERSION, stage="analyze", assigns=("results.request_type",))
class RequestType:
    """Request type (投诉/求助/咨询/建议/表扬/举报) from cue words."""

    name = NAME
    version = VERSION

    def __call__(self, doc: Doc) -> Doc:
        doc.add_result(classify_request_type(doc.title, doc.text))
        return doc
