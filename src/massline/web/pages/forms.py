"""Validation of the public request form: the same rules as Open311 ``POST requests``.

Why a separate check from the Open311 parser: a person filling a form needs *every* problem at
once, each next to its field and in their language, not the first problem as an API error.
The rules are the same (service required and known, description required, a location — here the
address — required, a one-line title), so a request accepted here is accepted by Open311 too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from massline.web.api.open311_services import SERVICES, get_service

#: field → Chinese message id (translated by the catalogue).
MESSAGES: dict[str, str] = {
    "service_code": "请选择问题类别",
    "service_code_unknown": "问题类别不存在，请重新选择",
    "title": "请填写留言主题（一行，不超过 100 字）",
    "description": "请填写问题描述",
    "description_long": "问题描述不能超过 4000 字",
    "address_string": "请填写问题地点（地址）",
    "email": "电子邮箱格式不正确",
    "phone": "联系电话格式不正确",
}
FIELD_LABELS: dict[str, str] = {
    "service_code": "问题类别", "title": "留言主题", "description": "问题描述", "address_string": "问题地点",
    "email": "电子邮箱", "phone": "联系电话",
}


@dataclass(slots=True)
class PublicRequest:
    service_code: str = ""
    title: str = ""
    description: str = ""
    address_string: str = ""
    district: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    publish: str = "no"  # private by default: only a ticked consent box publishes
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def category(self) -> str:
        return get_service(self.service_code).name


def services() -> list[dict[str, str]]:
    return [{"code": s.code, "name": s.name, "description": s.description} for s in SERVICES]


def _clean(form: dict[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def validate_public_request(form: dict[str, Any]) -> PublicRequest:
    """The submitted form with ``errors`` = {field: message id}; empty errors means acceptable."""
    req = PublicRequest(
        service_code=_clean(form, "service_code"), title=_clean(form, "title"),
        description=_clean(form, "description"), address_string=_clean(form, "address_string"),
        district=_clean(form, "district"), name=_clean(form, "name"), email=_clean(form, "email"),
        phone=_clean(form, "phone"),
    )
    req.publish = "yes" if _clean(form, "publish") == "yes" else "no"
    errors: dict[str, str] = {}
    if not req.service_code:
        errors["service_code"] = MESSAGES["service_code"]
    elif req.service_code not in {s.code for s in SERVICES}:
        errors["service_code"] = MESSAGES["service_code_unknown"]
    if not req.title or "\n" in req.title or len(req.title) > 100:
        errors["title"] = MESSAGES["title"]
    if not req.description:
        errors["description"] = MESSAGES["description"]
    elif len(req.description) > 4000:
        errors["description"] = MESSAGES["description_long"]
    if not req.address_string:
        errors["address_string"] = MESSAGES["address_string"]
    if req.email and ("@" not in req.email or " " in req.email or len(req.email) > 320):
        errors["email"] = MESSAGES["email"]
    if req.phone and not all(c.isdigit() or c in "+- " for c in req.phone):
        errors["phone"] = MESSAGES["phone"]
    req.errors = errors
    return req
