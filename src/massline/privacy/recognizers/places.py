"""Street addresses down to the door, building, unit or room (…路…号, …小区…栋…单元…室).

An address is personal when it reaches a household; a road or a district alone is not
(and the 泰迪杯 texts mask districts as A市A2区 anyway). So the pattern needs a place
word (路/街/小区/花园/村 …) followed directly by numbered units (号/栋/单元/室/组 …);
"302室" or "3号楼" without a place name before them are not flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from massline.privacy.base import Candidate, Pattern, Recognizer
from massline.privacy.normalize import View
from massline.privacy.registry import register_recognizer

_HAN = r"\u4e00-\u9fa5"
_NUM = r"[0-9A-Za-z一二三四五六七八九十百零〇]{1,5}"
_UNIT = rf"(?:[0-9A-Za-z]{{1,5}}座|{_NUM}(?:号楼|号院|号|栋|幢|单元|楼|层|室|组|弄))"
_PLACE = (
    r"(?:路|街|大道|大街|巷|弄|胡同|小区|花园|公寓|大厦|家园|新村|山庄|苑|园|城|广场|社区|村|公馆|府|湾|宿舍|院"
    r"|区|里|冲|垸|屯|寨|庄|坪)"
)
#: Words after which the address starts (the name part may begin earlier in the sentence).
_LEAD = re.compile(
    r"^.*(?:住在|住址|地址|家住|位于|住|居|在|是|的|于|到|至|为|和|与|及|对|把|从|向|说|讲|问|告诉|反映|让|靠|了|买|购"
    r"|年|月|日|：|:)"
)
_UNIT_RE = re.compile(_UNIT)
_FINE_UNIT = re.compile(r"(?:栋|幢|座|单元|室|组|号楼)")


_NAME_CHAR = re.compile(rf"[{_HAN}A-Za-z0-9]")
_STREET_NUMBER = re.compile(r"(?:路|街|大道|大街|巷|弄)[0-9一二三四五六七八九十百]+号")
#: How far (name characters) an anchor extends to the left, and the widest gap merged between anchors.
_LEFT = {"street": 20, "units": 6}
_GAP = 12


@register_recognizer
class AddressRecognizer(Recognizer):
    """Anchored scan: find "place word + numbered units" (or building + unit/room), extend left over
    the place name, merge neighbours, then cut the leading words of the sentence (住在, 位于 …).

    Anchoring keeps the cost linear; a lazy ``[name]{1,20}?`` prefix in one regex was the
    slowest pattern of the whole analyzer.
    """

    entity = "ADDRESS"
    name = "address"
    patterns = (
        Pattern("street", rf"{_PLACE}(?:{_UNIT}){{1,5}}(?![线站])", 0.8),
        # No place word but a building followed by unit/floor/room (金侨E4栋1单元15楼, 3栋2单元502室).
        Pattern("units", rf"[0-9A-Za-z]{{1,5}}(?:栋|幢|号楼|座)(?:{_NUM}(?:单元|楼|层|室))+", 0.75),
    )
    context = ("地址", "住址", "家住", "住在", "门牌")
    explanation = "place name (路/街/小区/村 …) followed by numbered door/building/unit/room parts"
    needs = re.compile(r"[号栋幢座单元室组弄楼]")

    def scan(self, view: View) -> Iterator[Candidate]:
        text = view.text
        spans: list[list[int | float]] = []
        for pattern, rx in self._compiled:
            for m in rx.finditer(text):
                start, limit = m.start(), max(0, m.start() - _LEFT[pattern.name])
                while start > limit and _NAME_CHAR.match(text[start - 1]) and (
                        pattern.name == "street" or not text[start - 1].isdigit()):
                    start -= 1
                spans.append([start, m.end(), pattern.score])
        spans.sort()
        merged: list[list[int | float]] = []
        for span in spans:
            if merged:
                last = merged[-1]
                gap = text[int(last[1]) : int(span[0])]
                if span[0] <= last[1] or (len(gap) <= _GAP and all(_NAME_CHAR.match(c) for c in gap)):
                    last[1] = max(last[1], span[1])
                    last[2] = max(last[2], span[2])
                    continue
            merged.append(span)
        for start_f, end_f, score in merged:
            start, end = int(start_f), int(end_f)
            value = text[start:end]
            first_unit = _UNIT_RE.search(value)
            lead = _LEAD.match(value[: max(0, (first_unit.start() if first_unit else len(value)) - 1)])
            if lead:
                start += lead.end()
                value = value[lead.end() :]
            if len(value) >= 5 and (_STREET_NUMBER.search(value) or _FINE_UNIT.search(value)):
                yield Candidate(start, end, float(score), "street" if score >= 0.8 else "units")
