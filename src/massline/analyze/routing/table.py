"""The routing table: category → department code, shipped as YAML, kept and edited in the database.

Why both: the YAML is the reviewed default that ships with a release; the database copy is
what an administrator changes at run time (``massline routing set``), each change audited.
``ensure_rules`` copies YAML rules only for categories that have no database rule yet, so a
hand-made change is never overwritten by an upgrade.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.errors import InputError
from massline.db.base import utcnow
from massline.db.models.routing import RoutingRule
from massline.db.repositories.audit import record_audit


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    parent: str | None = None
    level: str = "department"


@dataclass
class RoutingConfig:
    departments: dict[str, Department] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    triage_department: str | None = None


def default_path() -> Path:
    return Path(str(files("massline") / "data" / "routing.yaml"))


def load_config(path: Path | None = None) -> RoutingConfig:
    """Parse ``routing.yaml`` (departments, rules, triage_department); errors name the entry."""
    path = path or default_path()
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read the routing table: {exc}", origin=str(path)) from exc
    if not isinstance(data, dict):
        raise InputError("expected a mapping with 'departments' and 'rules'", origin=str(path))
    config = RoutingConfig(triage_department=data.get("triage_department"))
    for i, row in enumerate(data.get("departments") or []):
        if not isinstance(row, dict) or not row.get("code") or not row.get("name"):
            raise InputError("each department needs a code and a name", origin=str(path), locator=f"department {i}",
                             field="code")
        dep = Department(str(row["code"]), str(row["name"]), row.get("parent"), str(row.get("level") or "department"))
        config.departments[dep.code] = dep
    for dep in config.departments.values():
        if dep.parent and dep.parent not in config.departments:
            raise InputError(f"unknown parent {dep.parent!r}", origin=str(path), locator=f"department {dep.code}",
                             field="parent")
    rules = data.get("rules") or {}
    if not isinstance(rules, dict):
        raise InputError("'rules' must map category → department code", origin=str(path), field="rules")
    for category, code in rules.items():
        if str(code) not in config.departments:
            raise InputError(f"category {category!r} routes to unknown department {code!r}", origin=str(path),
                             field="rules")
        config.rules[str(category)] = str(code)
    return config


def known_department(session: Session, code: str, config: RoutingConfig | None = None) -> bool:
    """A code is known when the YAML tree or the ``departments`` table (serve feature) has it."""
    config = config or load_config()
    if code in config.departments:
        return True
    try:
        from massline.db.models.users import Department as DepartmentRow
    except ImportError:  # serve feature absent
        return False
    return session.scalar(select(DepartmentRow.id).where(DepartmentRow.code == code)) is not None


def department_names(session: Session, config: RoutingConfig | None = None) -> dict[str, str]:
    """Code → name of every department (the ``departments`` table wins over the YAML), for human texts."""
    config = config or load_config()
    names = {code: dep.name for code, dep in config.departments.items()}
    try:
        from massline.db.models.users import Department as DepartmentRow
    except ImportError:  # serve feature absent
        return names
    names.update({code: name for code, name in session.execute(select(DepartmentRow.code, DepartmentRow.name))})
    return names


def ensure_rules(session: Session, config: RoutingConfig | None = None) -> int:
    """Copy YAML rules into the database for categories that have none; returns how many were added."""
    config = config or load_config()
    have = set(session.scalars(select(RoutingRule.category)))
    added = 0
    for category, code in config.rules.items():
        if category not in have:
            session.add(RoutingRule(category=category, department_code=code, updated_by="system"))
            added += 1
    session.flush()
    return added


def current_rules(session: Session) -> dict[str, str]:
    """The rules in force: database rules (seeded from the YAML first if the table is empty)."""
    ensure_rules(session)
    return {r.category: r.department_code for r in session.scalars(select(RoutingRule).order_by(RoutingRule.category))}


def show_rules(session: Session) -> list[dict[str, Any]]:
    """Rules with department names, for ``massline routing show`` and the admin page."""
    config = load_config()
    ensure_rules(session)
    out = []
    for r in session.scalars(select(RoutingRule).order_by(RoutingRule.category)):
        dep = config.departments.get(r.department_code)
        out.append({"category": r.category, "department": r.department_code, "name": dep.name if dep else None,
                    "updated_by": r.updated_by, "updated_at": r.updated_at})
    return out


def set_rule(session: Session, category: str, department: str, *, actor: str, reason: str | None = None) -> RoutingRule:
    """Route ``category`` to ``department`` from now on; audited as ``routing.set``."""
    category, department = category.strip(), department.strip()
    if not category:
        raise InputError("the category is empty", field="category")
    if not actor.strip():
        raise InputError("say who makes the change", field="actor")
    config = load_config()
    if not known_department(session, department, config):
        raise InputError(f"unknown department {department!r}; known: {', '.join(sorted(config.departments))}",
                         field="department")
    ensure_rules(session, config)
    rule = session.scalar(select(RoutingRule).where(RoutingRule.category == category))
    before = rule.department_code if rule else None
    if rule is None:
        rule = RoutingRule(category=category, department_code=department)
        session.add(rule)
    rule.department_code = department
    rule.updated_by = actor
    rule.updated_at = utcnow()
    record_audit(session, actor=actor, action="routing.set", object_type="routing_rule", object_id=category,
                 detail={"category": category, "before": before, "after": department}, reason=reason)
    session.flush()
    return rule
