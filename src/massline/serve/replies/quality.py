"""Does a reply answer the request? Six checks a handler sees before sending.

Why rules with reasons and not a model: the only labelled replies are 100 rows judged by one
person, far too few to train on; the cues that make a government reply complete (a greeting,
what was found, what will be done and by when, whom to call) or interpretable (the law, policy
or 《document》 it rests on) are explicit in the text, so each check can say *why* it scored as
it did. The scores are measured against those labels (``massline eval replies``). None blocks
sending except unmasked personal data in a reply that will be published.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from massline.analyze.places import find_places
from massline.analyze.segment import cut

GREETING = re.compile(r"您好|你好|网友|市民|先生|女士|同志")
ACTION = re.compile(r"已[经]?|将|经[过]?|安排|处理|核实|调查|落实|整改|督促|责令|协调|解决|回复如下|答复如下|现将")
WHEN = re.compile(r"\d{1,4}\s*[年月日号]|\d+\s*个?工作日|近期|近日|尽快|目前|年底|月底|下一步|今后|限期|\d+\s*天内")
CONTACT = re.compile(r"电话|联系|咨询|热线|\d{3,4}-?\d{7,8}|\d{7,8}|12345|来访|接待")
BASIS = re.compile(r"《[^》]{2,40}》|根据|依据|按照|依照|规定|条例|办法|法律|法规|政策|文件|通知|意见|标准|"
                   r"经调查|经核实|经查|"
                   r"经现场|第[一二三四五六七八九十百\d]+条")
POLITE = re.compile(r"感谢|谢谢|欢迎|请您|敬请|理解|支持|祝")
RUDE = re.compile(r"无理取闹|别再|不要再|自己负责|与我们无关|不归我们管|爱莫能助")
BOILERPLATE = re.compile(r"收悉|感谢|谢谢|您好|你好|回复如下|答复如下|理解与监督|^\s*\d{4}年\d{1,2}月\d{1,2}日\s*$")
SENTENCE = re.compile(r"[^。！？；!?;\n]+")
FACT = re.compile(r"\d+(?:\.\d+)?\s*(?:年|月|日|号|米|公里|平方米|亩|万元|元|户|栋|人|个|条|辆|台|所|项|次|%)")
#: Substantive sentences at which a reply counts as fully developed (the labelled replies judged
#: complete have a median of about six).
FULL_SUBSTANCE = 6
STOP = frozenset("我们 你们 他们 这个 那个 一个 没有 什么 怎么 可以 是否 因为 所以 但是 如果 已经 进行 问题 情况 相关 "
                 "工作 部门 有关 目前 现在 希望 请问 为什么 能否 领导 您好 谢谢 感谢 网友 反映 留言 答复 回复".split())
#: Working days within which a reply counts as timely (the usual 12345 promise), and the late limit.
TIMELY_DAYS, LATE_DAYS = 5, 15


@dataclass(slots=True)
class Check:
    name: str
    label: str
    score: float | None
    ok: bool
    reason: str
    blocking: bool = False


def key_terms(text: str, limit: int = 12) -> list[str]:
    """What a message is about: its places first, then its longest distinctive words."""
    places = [p["name"] for p in find_places(text) if p["level"] not in ("province", "city")]
    words = [w for w in cut(text) if len(w) >= 2 and w not in STOP and not w.isdigit()]
    ranked = sorted(dict.fromkeys(words), key=lambda w: (-len(w), words.index(w)))
    return list(dict.fromkeys([*places, *ranked]))[:limit]


def _relevance(reply: str, message: str | None) -> Check:
    if not message:
        return Check("relevance", "相关性", None, True, "没有原留言可比")
    terms = key_terms(message)
    if not terms:
        return Check("relevance", "相关性", None, True, "原留言没有可比的关键词")
    hit = [t for t in terms if t in reply]
    score = len(hit) / len(terms)
    missing = [t for t in terms if t not in reply][:4]
    reason = f"答复提到留言要点 {len(hit)}/{len(terms)}" + (f"；未提到：{'、'.join(missing)}" if missing else "")
    return Check("relevance", "相关性", round(score, 2), score >= 0.25, reason)


def substance(reply: str) -> int:
    """Sentences that say something (not greetings, thanks, "已收悉" or the date line)."""
    return sum(1 for m in SENTENCE.finditer(reply)
               if len(m.group(0).strip()) >= 12 and not BOILERPLATE.search(m.group(0)))


def completeness_score(reply: str) -> tuple[float, list[str], int]:
    """Share of the four parts present (40 %) and how developed the answer is (60 %): a reply that
    greets, says "已处理" and thanks has every part yet answers nothing."""
    parts = {"称呼问候": GREETING, "处理情况": ACTION, "时间安排": WHEN, "联系方式": CONTACT}
    lacking = [name for name, rx in parts.items() if not rx.search(reply)]
    n = substance(reply)
    score = 0.4 * (len(parts) - len(lacking)) / len(parts) + 0.6 * min(1.0, n / FULL_SUBSTANCE)
    return score, lacking, n


def _completeness(reply: str) -> Check:
    score, lacking, n = completeness_score(reply)
    reason = f"实质内容 {n} 句" + (f"；缺少：{'、'.join(lacking)}" if lacking
                                  else "；称呼、处理情况、时间、联系方式齐全")
    return Check("completeness", "完整性", round(score, 2), score >= 0.6, reason)


def interpretability_score(reply: str) -> tuple[float, list[str], int]:
    """Cited bases (law, policy, 《document》, investigation) count fully, concrete facts (dates,
    sizes, amounts) half, up to four of them."""
    found = list(dict.fromkeys(m.group(0) for m in BASIS.finditer(reply)))
    facts = len(FACT.findall(reply))
    return len(found) + 0.5 * min(4, facts), found, facts


def _interpretability(reply: str) -> Check:
    raw, found, facts = interpretability_score(reply)
    score = min(1.0, raw / 3)
    if found:
        reason = "依据：" + "、".join(found[:4]) + (f"；具体事实 {facts} 处" if facts else "")
    else:
        reason = "未引用任何依据（法律、政策、《文件》或调查核实的事实）" + (f"；具体事实 {facts} 处" if facts else "")
    return Check("interpretability", "可解释性", round(score, 2), bool(found), reason)


def working_days(start: date, end: date, is_workday: Callable[[date], bool]) -> int:
    """Working days after ``start`` up to and including ``end``."""
    days, d = 0, start
    while d < end:
        d += timedelta(days=1)
        days += is_workday(d)
    return days


def _timeliness(asked: datetime | None, answered: datetime | None, is_workday: Callable[[date], bool]) -> Check:
    if asked is None:
        return Check("timeliness", "及时性", None, True, "留言时间未知")
    end = answered or datetime.now(asked.tzinfo)
    days = working_days(asked.date(), end.date(), is_workday)
    score = 1.0 if days <= TIMELY_DAYS else 0.5 if days <= LATE_DAYS else 0.0
    return Check("timeliness", "及时性", score, days <= TIMELY_DAYS, f"留言后第 {days} 个工作日答复"
                 + ("" if days <= TIMELY_DAYS else f"（超过 {TIMELY_DAYS} 个工作日）"))


def _politeness(reply: str) -> Check:
    rude = RUDE.findall(reply)
    polite = POLITE.findall(reply) + GREETING.findall(reply)
    score = 0.0 if rude else min(1.0, len(polite) / 2)
    reason = f"不当用语：{'、'.join(rude)}" if rude else (f"礼貌用语：{'、'.join(dict.fromkeys(polite))}" if polite
                                                      else "没有问候或致谢")
    return Check("politeness", "礼貌", score, not rude and bool(polite), reason)


def _personal_data(reply: str, find_pii: Callable[[str], Sequence[Any]]) -> Check:
    found = list(find_pii(reply))
    kinds = sorted({str(getattr(f, "type", "")) for f in found})
    if found:
        return Check("personal_data", "个人信息", 0.0, False, f"含未脱敏个人信息 {len(found)} 处（{'、'.join(kinds)}）",
                     blocking=True)
    return Check("personal_data", "个人信息", 1.0, True, "未发现个人信息")


def check_reply(reply: str, *, message: str | None = None, asked: datetime | None = None,
                answered: datetime | None = None,
                find_pii: Callable[[str], Sequence[Any]] | None = None,
                is_workday: Callable[[date], bool] | None = None) -> list[Check]:
    """All six checks of ``reply`` against the ``message`` it answers.

    ``is_workday`` is the installation's working-day calendar (``load_sla_rules(session=…).calendar
    .is_working_day``, administrator overrides included); default: the statutory calendar.
    """
    if find_pii is None:
        from massline.privacy import find_pii as default_find

        find_pii = default_find
    text = reply.strip()
    if is_workday is None:
        from massline.serve.forecast.calendar import is_workday as statutory

        is_workday = statutory
    return [_relevance(text, message), _completeness(text), _interpretability(text),
            _timeliness(asked, answered, is_workday),
            _politeness(text), _personal_data(text, find_pii)]


def as_dicts(checks: Sequence[Check]) -> list[dict[str, Any]]:
    return [asdict(c) for c in checks]
