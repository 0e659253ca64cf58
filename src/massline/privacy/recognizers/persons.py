"""Person names, recognised only in context (我叫…, 联系人：…, …先生/女士/老师).

No checksum exists for a name, so the patterns carry the context themselves and
:meth:`PersonRecognizer.locate` trims the span to the name (and its title) proper.
"""

from __future__ import annotations

import re

from massline.privacy.base import Pattern, Recognizer
from massline.privacy.recognizers.names import NAME_STOP, NOT_NAME_WORDS, SURNAMES_1, SURNAMES_2
from massline.privacy.registry import register_recognizer

_HAN = r"\u4e00-\u9fa5"
_SURNAME = "(?:" + "|".join(SURNAMES_2) + f"|[{SURNAMES_1}])"
_INTRO = (
    r"(?:我叫|我名叫|我的名字[是叫]|本人|姓名|名字|联系人|户主|申请人|投诉人|举报人|反映人|当事人|收件人|收货人|"
    r"患者|签名|落款|署名|孩子叫|儿子叫|女儿叫|老公叫|丈夫叫|妻子叫|爱人叫|父亲叫|母亲叫)"
)
_TITLE = r"(?:先生|女士|小姐|老师|阿姨|师傅|大爷|大妈|大姐|大哥|同学|医生|律师|老板|经理)"
_TITLE_END = re.compile(_TITLE + "$")
#: Characters after which "<surname>先生" starts a name even though a Han character precedes it.
_BEFORE_TITLED = "的位找叫给向和与跟是请问系称任到说让被把对见"


@register_recognizer
class PersonRecognizer(Recognizer):
    entity = "PERSON"
    name = "person"
    patterns = (
        Pattern("intro", rf"{_INTRO}(?:是|为)?\s*[:：]?\s*({_SURNAME}[{_HAN}]{{1,2}})", 0.8, 1),
        Pattern("title", rf"(?:(?<![{_HAN}])|(?<=[{_BEFORE_TITLED}]))({_SURNAME}[{_HAN}]{{0,2}}?{_TITLE})", 0.75, 1),
    )
    explanation = "Chinese surname + given name introduced by 我叫/本人/联系人/姓名…, or followed by 先生/女士/老师…"
    needs = re.compile(rf"[{SURNAMES_1}]")

    def locate(self, match: re.Match[str], pattern: Pattern) -> tuple[int, int] | None:
        start, end = match.span(1)
        value = match.group(1)
        surname = 2 if value[:2] in SURNAMES_2 else 1
        if pattern.name == "title":
            given = _TITLE_END.sub("", value)[surname:]
            if any(ch in NAME_STOP for ch in given) or (given and value[: surname + 1] in NOT_NAME_WORDS):
                return None
            return start, end
        n = surname
        while n < len(value) and value[n] not in NAME_STOP:
            n += 1
        if n == surname or value[:2] in NOT_NAME_WORDS or value[:n].endswith("某"):
            return None
        return start, start + n
