"""Person names, recognised only in context (我叫…, 联系人：…, 村民…, …先生/女士/老师).

No checksum exists for a name, so the patterns carry the context themselves: a strong
introduction (我叫, 本人, 姓名, 申请人 …), a weaker role word (村民, 校长, 法定代表人, 哥哥 …),
or a title after the name (先生, 老师, 师傅 …). Words that merely start with a surname
character (曾经, 文明, 高中) and office titles (胡厅长) are excluded in the regex itself, so
a rejected candidate never hides a real name right after it. A name found once in context
is then found at its other occurrences in the same text too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from massline.privacy.base import Candidate, Pattern, Recognizer
from massline.privacy.normalize import View
from massline.privacy.recognizers.names import (
    MORE_NOT_NAME,
    NAME_STOP,
    NOT_NAME_WORDS,
    OFFICIAL_TITLES,
    SURNAMES_1,
    SURNAMES_2,
)
from massline.privacy.registry import register_recognizer

_HAN = r"\u4e00-\u9fa5"
_STOP = "".join(sorted(ch for ch in NAME_STOP if "\u4e00" <= ch <= "\u9fa5"))
_GIVEN = rf"(?:(?![{_STOP}])[{_HAN}])"
_NOT_WORD = "|".join(sorted(NOT_NAME_WORDS | set(MORE_NOT_NAME)))
_FIRST = "".join(sorted(set(SURNAMES_1) | {c[0] for c in SURNAMES_2}))
# The cheap one-character lookahead first: the word blacklist is only tried where a surname starts.
_SURNAME = (
    rf"(?=[{_FIRST}])(?!{_NOT_WORD})(?:" + "|".join(SURNAMES_2) + f"|[{SURNAMES_1}])(?!{'|'.join(OFFICIAL_TITLES)})"
)
_INTRO = (
    r"(?:我叫|我名叫|名叫|叫做|我的名字[是叫]|本人|姓名|名字|联系人|户主|申请人|投诉人|举报人|反映人|当事人|收件人|收货人|"
    r"患者|签名|落款|署名|孩子叫|儿子叫|女儿叫|老公叫|丈夫叫|妻子叫|爱人叫|父亲叫|母亲叫)"
)
_ROLE = (
    r"(?:村民|股东|法定代表人|法人代表|法人|负责人|校长|老师|村主任|村支书|村书记|支书|会计|出纳|老板|我儿|我女|儿子|女儿|丈夫|妻子|"
    r"老公|老婆|哥哥|姐姐|弟弟|妹妹|父亲|母亲|爷爷|奶奶|人员)"
)
_TITLE = r"(?:先生|女士|小姐|老师|阿姨|师傅|大爷|大妈|大姐|大哥|同学|医生|律师|老板|经理)"
_TITLE_END = re.compile(_TITLE + "$")
_INSTITUTION = re.compile(r"中学|小学|大学|学校|学院|医院|公司|集团|镇|村|县|路|街|广场|小区")
#: The next name of a list: separator, surname + given name, then a separator or the end.
_LIST_NEXT = re.compile(
    rf"(?:[ 、]\s*({_SURNAME}{_GIVEN}{{2}}|{_SURNAME}{_GIVEN}(?=[^{_HAN}]|$))"
    rf"|[，,]\s*({_SURNAME}{_GIVEN}{{1,2}})(?=[ 、，,。；;）)]|$))"
)
#: Characters after which "<surname>先生" starts a name even though a Han character precedes it.
_BEFORE_TITLED = "的位找叫给向和与跟是请问系称任到说让被把对见"


@register_recognizer
class PersonRecognizer(Recognizer):
    entity = "PERSON"
    name = "person"
    patterns = (
        Pattern("intro", rf"{_INTRO}(?:是|为)?\s*[:：]?\s*({_SURNAME}{_GIVEN}{{1,2}})", 0.8, 1),
        Pattern("role", rf"{_ROLE}\s*[:：（(]?\s*({_SURNAME}{_GIVEN}{{1,2}})", 0.6, 1),
        Pattern("title", rf"(?<!主)({_SURNAME}{_GIVEN}{{1,2}}?{_TITLE})", 0.75, 1),
        Pattern("title_short", rf"(?:(?<![{_HAN}])|(?<=[{_BEFORE_TITLED}]))({_SURNAME}{_TITLE})", 0.75, 1),
        # A contact: a name right before a phone-shaped number (…日张强国0000-00000000刘兵红0000-…).
        Pattern("contact", rf"(?:(?<![{_HAN}])|(?<=[日：:]))({_SURNAME}{_GIVEN}{{1,2}})(?=[:：\s]*\d[\d\-]{{6,}})",
                0.6, 1),
        # A signature: a name after a sentence end, right before the date (…！曾宪民2012.9.16).
        Pattern("signed", rf"(?<=[！。!.？?\s])({_SURNAME}{_GIVEN}{{1,2}})(?=\s*(?:19|20)\d\d[.\-/年])", 0.6, 1),
    )
    explanation = "Chinese surname + given name introduced by 我叫/本人/联系人/村民…, or followed by 先生/女士/老师…"
    needs = re.compile(rf"[{SURNAMES_1}]")
    #: Score of further occurrences of a name found in context, and of names listed after one.
    repeat_score = 0.7
    list_score = 0.65

    def locate(self, match: re.Match[str], pattern: Pattern) -> tuple[int, int] | None:
        start, end = match.span(1)
        return None if match.group(1).endswith("某") else (start, end)

    def scan(self, view: View) -> Iterator[Candidate]:
        found = list(super().scan(view))
        for cand in list(found):  # lists: 签名：刘正先 蔡桂枚 胡建平 / 负责人李春宇，张赛，郑雨霖
            end = cand.end
            while (m := _LIST_NEXT.match(view.text, end)) is not None:
                group = 1 if m.group(1) else 2
                found.append(Candidate(m.start(group), m.end(group), self.list_score, "list"))
                end = m.end(group)
        yield from found
        taken = bytearray(len(view.text))  # characters already inside a found name
        for c in found:
            taken[c.start : c.end] = b"\x01" * (c.end - c.start)
        names = {_TITLE_END.sub("", view.text[c.start : c.end]) for c in found}
        for name in sorted(n for n in names if len(n) >= 2):
            for m in re.finditer(re.escape(name), view.text):
                if _INSTITUTION.match(view.text, m.end()):
                    continue  # 江声中学: the name of a school, not the person
                if not any(taken[m.start() : m.end()]):
                    taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
                    yield Candidate(m.start(), m.end(), self.repeat_score, "repeat")
