"""Demo users and a tiny hand-made case load, shared by ``massline demo``, the browser tests and screenshots.

Why a tiny seed next to the real demo: browser tests and screenshots must start in a second,
without training a model; the seed writes a handful of messages with ready-made analysis results
(two of them waiting in the triage queue, one carrying an ID number and a phone number so the
masking can be checked), routes the confident ones to work orders and answers some of them.
Everything goes through the owning features' service functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.types import Doc, Result
from massline.db.models.message import Message
from massline.db.models.users import User
from massline.store.messages import Pending, to_message
from massline.store.raw import get_or_create_source
from massline.store.results import save_results

DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("admin", "administrator", "管理员"),
    ("dispatcher", "dispatcher", "分拨员"),
    ("handler", "handler", "承办人（城乡建设）"),
    ("analyst", "analyst", "分析员"),
)
HANDLER_CATEGORY = "城乡建设"
SAMPLE_SOURCE = "sample-seed"
PII_BODY = "我的身份证号是110101199003074258，电话13812345678，小区门口道路破损严重，请尽快维修。"

#: (title, body, category, confidence, district, queue, replied)
SAMPLE: tuple[tuple[str, str, str, float, str, str, bool], ...] = (
    ("A3区西湖路占道施工", "A3区西湖路人行道被施工围挡占用，行人只能走机动车道，安全隐患大。", "城乡建设", 0.93,
     "A3区", "auto", True),
    ("A1区小区噪音扰民", "A1区某小区楼下酒吧每晚噪音到凌晨两点，严重影响休息。",
     "环境保护", 0.91, "A1区", "auto", True),
    ("A2区公交线路调整建议", "建议A2区增开通往高铁站的公交线路，方便市民出行。",
     "交通运输", 0.88, "A2区", "auto", False),
    ("A3区学校收费问题", "A3区某小学额外收取课后服务费，家长希望了解收费依据。",
     "教育文体", 0.86, "A3区", "auto", False),
    ("A5区道路破损", PII_BODY, "城乡建设", 0.52, "A5区", "triage", False),
    ("A4区社保转移咨询", "从外地转入A4区工作，社保关系转移需要哪些材料？",
     "劳动和社会保障", 0.47, "A4区", "triage", False),
)


@dataclass
class SeedReport:
    messages: int = 0
    work_orders: int = 0
    replies: int = 0


def ensure_routing(session: Session) -> None:
    """Departments (serve) and the category → department rules (routing) from the shipped YAML."""
    from massline.analyze.routing.table import ensure_rules
    from massline.serve.departments import seed_departments

    seed_departments(session)
    ensure_rules(session)


def handler_department(session: Session) -> str:
    from massline.analyze.routing import current_rules

    return current_rules(session)[HANDLER_CATEGORY]


def ensure_demo_users(session: Session) -> dict[str, str]:
    """Create the demo users that do not exist yet; returns ``{username: password}`` of the new ones only."""
    from massline.serve.accounts import create_user, generate_password

    created: dict[str, str] = {}
    for username, role, display in DEMO_USERS:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        password = generate_password()
        create_user(session, username=username, password=password, role=role, display_name=display,
                    department_code=handler_department(session) if role == "handler" else None, actor="demo")
        created[username] = password
    return created


def create_user_with_password(session: Session, username: str, role: str, password: str) -> None:
    """A user with a known password (tests and screenshots log in with it)."""
    from massline.serve.accounts import create_user

    if session.scalar(select(User.id).where(User.username == username)) is None:
        create_user(session, username=username, password=password, role=role,
                    department_code=handler_department(session) if role == "handler" else None, actor="test")


def seed_sample(session: Session, *, secret_key: str = "") -> SeedReport:
    """Write the tiny case load (idempotent: nothing happens when the seed source already has messages)."""
    from massline.serve.cases import open_work_order
    from massline.serve.lifecycle import accept, reply

    ensure_routing(session)
    report = SeedReport()
    source = get_or_create_source(session, SAMPLE_SOURCE, "file")
    if session.scalar(select(Message.id).where(Message.source_id == source.id).limit(1)) is not None:
        return report
    rules = _rules(session)
    now = datetime.now(UTC)
    for i, (title, body, category, confidence, district, queue, replied) in enumerate(SAMPLE):
        created = now - timedelta(days=40 - 7 * i)
        doc = Doc(text=body, title=title, language="zh", external_id=f"seed-{i + 1}", meta={"district": district})
        message = to_message(Pending(doc=doc, source_id=source.id, raw_item_id=None, original_title=title,
                                     created_at=created))
        session.add(message)
        session.flush()
        report.messages += 1
        why = f"示例：关键词匹配 {category}"
        department = rules.get(category)
        save_results(session, message.id, [
            Result("analyze.category", "seed", "category", category, confidence, why),
            Result("analyze.places", "seed", "district", district, 0.9, "地名词典"),
            Result("analyze.route", "seed", "route", {"queue": queue, "department": department, "category": category},
                   confidence, why if queue == "auto" else f"置信度 {confidence:.2f} 低于阈值，进入分拨队列"),
        ])
        if queue != "auto":
            continue
        wo = open_work_order(session, message_id=message.id, category=category, department_code=department,
                             confidence=confidence, reason=why, actor="system:routing", secret_key=secret_key,
                             at=created)
        report.work_orders += 1
        if replied:
            accept(session, wo, actor="system", at=created + timedelta(hours=2))
            reply(session, wo, actor="system", at=created + timedelta(days=1),
                  text=f"您好，关于“{title}”，已转相关部门现场核查并处理，感谢您的监督。")
            report.replies += 1
    session.flush()
    return report


def _rules(session: Session) -> dict[str, str]:
    from massline.analyze.routing import current_rules

    return dict(current_rules(session))
