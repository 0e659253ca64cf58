"""Street addresses down to the door, building, unit or room (…路…号, …小区…栋…单元…室).

An address is personal when it reaches a household; a road or a district alone is not
(and the 泰迪杯 texts mask districts as A市A2区 anyway). So the pattern needs a place
word (路/街/小区/花园/村 …) followed directly by numbered units (号/栋/单元/室/组 …);
"302室" or "3号楼" without a place name before them are not flagged.
"""

from __future__ import annotations

import re

from massline.privacy.base import Pattern, Recognizer
from massline.privacy.registry import register_recognizer

_HAN = r"\u4e00-\u9fa5"
_NUM = r"[0-9A-Za-z一二三四五六七八九十百零〇]{1,5}"
_UNIT = rf"(?:[0-9A-Za-z]{{1,5}}座|{_NUM}(?:号楼|号院|号|栋|幢|单元|楼|层|室|组|弄))"
_PLACE = (
    r"(?:路|街|大道|大街|巷|弄|胡同|小区|花园|公寓|大厦|家园|新村|山庄|苑|园|城|广场|社区|村|公馆|府|湾|宿舍|院"
    r"|区|里|冲|垸|屯|寨|庄|坪)"
)
#: Words after which the address starts (the lazy name part may begin earlier in the sentence).
_LEAD = re.compile(
    r"^.*(?:住在|住址|地址|家住|位于|住|居|在|是|的|于|到|至|为|和|与|及|对|把|从|向|说|讲|问|告诉|反映|：|:)"
)
_UNIT_RE = re.compile(_UNIT)
_FINE_UNIT = re.compile(r"(?:栋|幢|座|单元|室|户|组|号楼)")


@register_recognizer
class AddressRecognizer(Recognizer):
    entity = "ADDRESS"
    name = "address"
    patterns = (
        Pattern(
            "street",
            rf"[{_HAN}A-Za-z0-9]{{1,20}}?{_PLACE}(?:{_UNIT}){{1,5}}"
            rf"(?:[{_HAN}A-Za-z]{{1,12}}?{_PLACE}(?:{_UNIT}){{1,5}})?(?![线站])",
            0.8,
        ),
        # No place word but a building followed by unit/floor/room (金侨E4栋1单元15楼, 3栋2单元502室).
        Pattern("units", rf"[{_HAN}A-Za-z]{{0,6}}?{_NUM}(?:栋|幢|号楼|座)(?:{_NUM}(?:单元|楼|层|室))+", 0.75),
    )
    context = ("地址", "住址", "家住", "住在", "门牌")
    explanation = "place name (路/街/小区/村 …) followed by numbered door/building/unit/room parts"
    needs = re.compile(r"[号栋幢座单元室户组弄]")

    def locate(self, match: re.Match[str], pattern: Pattern) -> tuple[int, int] | None:
        start, end = match.span()
        value = match.group()
        first_unit = _UNIT_RE.search(value)
        lead = _LEAD.match(value[: max(0, (first_unit.start() if first_unit else len(value)) - 1)])
        if lead:
            start += lead.end()
            value = value[lead.end():]
        has_street_number = re.search(r"(?:路|街|大道|大街|巷|弄)[0-9一二三四五六七八九十百]+号", value)
        if len(value) < 5 or not (has_street_number or _FINE_UNIT.search(value)):
            return None
        return start, end
