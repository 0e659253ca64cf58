"""Open311 services = our seven message categories, and their service definitions.

Codes are stable pinyin slugs of the 一级分类 of the 泰迪杯 taxonomy (附件1), which is what
the classifier and the routing table use as category names; a client that stored a code
keeps working across releases. Every service has ``metadata: true``: its definition carries
the 二级分类 of that category (from 附件1) as a ``singlevaluelist``, the message title
(留言主题, required, as on the 12345 web form), optional urgency, district, time of the
event and whether the citizen agrees to a public reply, plus one informational attribute
(``variable: false``) reminding people not to type personal data into the description.

:func:`validate_attributes` checks submitted ``attribute[code]`` values against that
definition and raises :class:`Open311Error` naming the attribute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from massline.serve.publication import CONSENT_ATTRIBUTE, CONSENT_TEXT
from massline.web.api.open311_format import Open311Error


@dataclass(frozen=True, slots=True)
class Attribute:
    code: str
    datatype: str  # string | number | datetime | text | singlevaluelist | multivaluelist
    description: str
    required: bool = False
    variable: bool = True
    datatype_description: str | None = None
    values: tuple[tuple[str, str], ...] = ()  # (key, name)

    def as_spec(self, order: int) -> dict[str, Any]:
        return {
            "variable": self.variable,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description,
            "order": order,
            "description": self.description,
            "values": [{"key": key, "name": name} for key, name in self.values],
        }


@dataclass(frozen=True, slots=True)
class Service:
    code: str
    name: str  # the category name used by classification and routing
    description: str
    group: str
    subcategories: tuple[str, ...] = field(default=())
    type: str = "realtime"

    @property
    def keywords(self) -> str:
        return ", ".join((self.name, *(s for s in self.subcategories if s != "其他")))

    def as_spec(self) -> dict[str, Any]:
        return {
            "service_code": self.code,
            "service_name": self.name,
            "description": self.description,
            "metadata": True,
            "type": self.type,
            "keywords": self.keywords,
            "group": self.group,
        }

    def attributes(self) -> list[Attribute]:
        subcategory = Attribute(
            "subcategory", "singlevaluelist", "问题小类（二级分类）",
            values=tuple((f"{i:02d}", name) for i, name in enumerate(self.subcategories, start=1)),
        )
        return [ATTR_TITLE, subcategory, *COMMON_ATTRIBUTES]

    def definition(self) -> dict[str, Any]:
        return {
            "service_code": self.code,
            "attributes": [a.as_spec(order) for order, a in enumerate(self.attributes(), start=1)],
        }


ATTR_TITLE = Attribute("title", "string", "留言主题：一句话说明问题", required=True,
                       datatype_description="不超过 100 个字，不含换行")
COMMON_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("urgency", "singlevaluelist", "紧急程度",
              values=(("normal", "一般"), ("urgent", "紧急"), ("very_urgent", "非常紧急"))),
    Attribute("district", "string", "所在区县或街道（如 A1区）", datatype_description="不超过 100 个字"),
    Attribute("occurred_at", "datetime", "问题发生时间",
              datatype_description="W3C 日期时间，例如 2019-11-05T08:15:30+08:00"),
    Attribute(CONSENT_ATTRIBUTE, "singlevaluelist", CONSENT_TEXT,
              values=(("no", "不公开（默认）"), ("yes", "同意公开"))),
    Attribute("privacy_notice", "text", "请勿在描述中填写身份证号、银行卡号等个人敏感信息；联系方式请填在联系字段中。",
              variable=False),
)

SERVICES: tuple[Service, ...] = (
    Service("chengxiang-jianshe", "城乡建设", "城市建设和市政管理、住房保障与房地产、规划、征收拆迁、安全生产等",
            "城市与环境", ("安全生产", "城市建设和市政管理", "城乡规划", "村镇建设", "工程质量",
                           "国有土地上房屋征收与补偿", "集体土地上房屋拆迁与补偿", "建筑市场", "住房保障与房地产",
                           "其他")),
    Service("huanjing-baohu", "环境保护", "噪声、大气、水、固废等环境污染和环保管理",
            "城市与环境", ("环保管理", "环境污染", "建设项目审批", "其他")),
    Service("jiaotong-yunshu", "交通运输", "道路交通、公交和客货运输、出租车、邮政",
            "城市与环境", ("出租车管理", "建设管理", "交通运输", "客货运输", "邮政管理", "其他")),
    Service("jiaoyu-wenti", "教育文体", "教育收费与招生、教师待遇、文化、体育、文物",
            "公共服务", ("教师队伍和待遇", "教育行政管理", "教育收费", "教育体制", "考试招生", "失学辍学",
                         "体育", "文化", "文物管理", "其他")),
    Service("laodong-shehui-baozhang", "劳动和社会保障", "工资、劳动关系、社会保险、就业、退休待遇",
            "公共服务", ("城镇居民社会保险", "城镇职工社会保险", "工资福利", "就业培训", "劳动保护", "劳动关系",
                         "社保基金管理", "退休政策及待遇", "其他")),
    Service("shangmao-lvyou", "商贸旅游", "市场监管、商业贸易、旅游管理、质量检验检疫",
            "经济与市场", ("旅游管理", "商业贸易", "市场监管", "质监检验检疫", "其他")),
    Service("weisheng-jisheng", "卫生计生", "公共卫生、医政监管、医患纠纷、食品药品监管、人口计生",
            "公共服务", ("公共卫生", "人口计生", "食品药品监管", "医患纠纷", "医政监管", "其他")),
)
BY_CODE: dict[str, Service] = {s.code: s for s in SERVICES}
BY_NAME: dict[str, Service] = {s.name: s for s in SERVICES}


def get_service(code: str) -> Service:
    """The service with this code (its Chinese category name is accepted too), or a spec 404."""
    service = BY_CODE.get(code) or BY_NAME.get(code)
    if service is None:
        raise Open311Error(404, f"service_code {code!r} not found")
    return service


def service_for_category(category: str | None) -> Service | None:
    return BY_NAME.get(category) if category else None


def _check_value(attr: Attribute, value: str) -> str:
    where = f"attribute[{attr.code}]"
    if attr.datatype == "number":
        try:
            float(value)
        except ValueError:
            raise Open311Error(400, f"{where}: {value!r} is not a number") from None
    elif attr.datatype == "datetime":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise Open311Error(400, f"{where}: {value!r} is not a W3C datetime") from None
    elif attr.datatype in ("singlevaluelist", "multivaluelist"):
        keys = [key for key, _ in attr.values]
        if value not in keys:
            raise Open311Error(400, f"{where}: {value!r} is not one of {', '.join(keys)}")
    elif attr.datatype == "string" and ("\n" in value or len(value) > 100):
        raise Open311Error(400, f"{where}: must be one line of at most 100 characters")
    elif len(value) > 4000:
        raise Open311Error(400, f"{where}: longer than 4000 characters")
    return value


def validate_attributes(service: Service, submitted: dict[str, list[str]]) -> dict[str, Any]:
    """Submitted ``attribute[code]`` values checked against the definition (unknown codes are refused).

    Returns ``{code: value}`` (a list for multivaluelist), with list keys kept as keys and
    their human names under ``"<code>_name"`` so downstream code need not know the definition.
    """
    attrs = {a.code: a for a in service.attributes() if a.variable}
    unknown = sorted(set(submitted) - set(attrs))
    if unknown:
        raise Open311Error(400, f"attribute[{unknown[0]}] is not defined for service {service.code}")
    out: dict[str, Any] = {}
    for code, attr in attrs.items():
        values = [v.strip() for v in submitted.get(code, []) if v.strip()]
        if not values:
            if attr.required:
                raise Open311Error(400, f"attribute[{code}] is required for service {service.code}")
            continue
        if attr.datatype != "multivaluelist" and len(values) > 1:
            raise Open311Error(400, f"attribute[{code}] takes one value, got {len(values)}")
        checked = [_check_value(attr, v) for v in values]
        out[code] = checked if attr.datatype == "multivaluelist" else checked[0]
        if attr.values:
            names = [dict(attr.values)[v] for v in checked]
            out[f"{code}_name"] = names if attr.datatype == "multivaluelist" else names[0]
    return out
