"""Recognizers for text-shaped personal data: e-mail, plates, WeChat/QQ ids, names, addresses.

Names and addresses have no checksum, so they are recognised only where the sentence
says what follows (我叫…, 联系人：…, …先生, 住在…路…号…栋…室): a bare surname-like
character in running text is never enough.
"""

from __future__ import annotations

import re

from massline.privacy.base import Pattern, Recognizer
from massline.privacy.registry import register_recognizer


@register_recognizer
class EmailRecognizer(Recognizer):
    entity = "EMAIL"
    name = "email"
    patterns = (
        Pattern("email", r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*"
                         r"\.[A-Za-z]{2,}", 0.9),
    )
    context = ("邮箱", "邮件", "email", "e-mail", "mail")
    explanation = "RFC-shaped e-mail address"
    needs = re.compile("@")


_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PL = "A-HJ-NP-Z"  # plate letters (no I/O)


@register_recognizer
class LicensePlateRecognizer(Recognizer):
    entity = "LICENSE_PLATE"
    name = "license_plate"
    patterns = (
        Pattern(
            "plate",
            rf"[{_PROVINCES}][{_PL}][·•.\s]?"
            rf"(?:[DF][{_PL}0-9]\d{{4}}|\d{{5}}[DF]|[{_PL}0-9]{{4}}[{_PL}0-9挂学警港澳领])(?![A-Za-z0-9])",
            0.85,
        ),
    )
    context = ("车牌", "牌照", "号牌", "车辆", "车号", "牌号")
    explanation = "province abbreviation + letter + 5 characters (6 for new-energy D/F plates)"
    needs = re.compile(rf"[{_PROVINCES}]")

    def validate(self, value: str, pattern: Pattern) -> float | None:
        return pattern.score if re.search(r"\d", value) else None  # every issued plate has a digit


_WX_KEY = r"(?:微信号?|微信账号|微信ID|wx|vx|VX|WX|Wx|Vx|weixin|WeChat|wechat|Wechat)"
_QQ_KEY = r"(?:QQ|qq|Qq)(?:群)?"
_ID_GLUE = r"(?:号码?|账号|ID|id)?\s*(?:是|为|:|：|号)?\s*"


@register_recognizer
class SocialIdRecognizer(Recognizer):
    entity = "SOCIAL_ID"
    name = "social_id"
    patterns = (
        Pattern("wechat", rf"{_WX_KEY}{_ID_GLUE}([A-Za-z][-_A-Za-z0-9]{{5,19}}|1[3-9]\d{{9}})(?![-_A-Za-z0-9])",
                0.9, 1),
        Pattern("qq", rf"{_QQ_KEY}{_ID_GLUE}([1-9]\d{{4,11}})(?!\d)", 0.9, 1),
    )
    context = ("微信", "qq", "加我", "好友")
    explanation = "WeChat / QQ account named as such (微信号：…, QQ …)"
    needs = re.compile(r"[微wWvVqQ]")
