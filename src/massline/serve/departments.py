"""The department tree (city → district → department) and which department handles a category.

The shipped ``massline/data/routing.yaml`` (written by the routing feature) is the source when it
exists; otherwise a built-in tree of one city, its 12345 hotline office and the seven bureaus that
answer the seven 泰迪杯 categories. Seeding is idempotent (matched on ``code``), so it can run at
every start.

Accepted YAML shape (keys in brackets are alternatives)::

    departments:            # list of {code, name, parent [parent_code], level}
      - {code: city, name: A市人民政府, level: city}
      - {code: zjj, name: 住房和城乡建设局, parent: city}
    rules:                  # [routes, categories]: {category: code} or list of {category, department}
      城乡建设: zjj
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any, Final

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.errors import InputError, NotFoundError
from massline.db.models.routing import RoutingRule
from massline.db.models.users import Department

#: (code, name, parent code, level) — used when no routing.yaml is shipped.
BUILTIN_DEPARTMENTS: Final[tuple[tuple[str, str, str | None, str], ...]] = (
    ("city", "A市人民政府", None, "city"),
    ("rxb", "12345市民服务热线", "city", "department"),
    ("zjj", "住房和城乡建设局", "city", "department"),
    ("sthjj", "生态环境局", "city", "department"),
    ("jtysj", "交通运输局", "city", "department"),
    ("jyj", "教育局", "city", "department"),
    ("rsj", "人力资源和社会保障局", "city", "department"),
    ("swj", "商务和文化旅游局", "city", "department"),
    ("wjw", "卫生健康委员会", "city", "department"),
)
BUILTIN_ROUTES: Final[dict[str, str]] = {
    "城乡建设": "zjj",
    "环境保护": "sthjj",
    "交通运输": "jtysj",
    "教育文体": "jyj",
    "劳动和社会保障": "rsj",
    "商贸旅游": "swj",
    "卫生计生": "wjw",
}


def default_routing_path() -> Path:
    return Path(str(files("massline") / "data" / "routing.yaml"))


def load_routing(path: Path | None = None) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """(departments, category → department code) from ``path`` / the shipped YAML / the built-ins."""
    path = path or default_routing_path()
    if not path.exists():
        deps = [{"code": c, "name": n, "parent": p, "level": lv} for c, n, p, lv in BUILTIN_DEPARTMENTS]
        return deps, dict(BUILTIN_ROUTES)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise InputError("expected a mapping at the top level", origin=str(path))
    deps = []
    for i, row in enumerate(data.get("departments") or []):
        if not isinstance(row, dict) or not row.get("code") or not row.get("name"):
            raise InputError("each department needs a code and a name", origin=str(path), locator=f"department {i}")
        deps.append({"code": str(row["code"]), "name": str(row["name"]),
                     "parent": row.get("parent", row.get("parent_code")), "level": row.get("level")})
    raw = data.get("rules", data.get("routes", data.get("categories"))) or {}
    routes: dict[str, str] = {}
    if isinstance(raw, dict):
        routes = {str(k): str(v["department"] if isinstance(v, dict) else v) for k, v in raw.items()}
    else:
        for row in raw:
            routes[str(row["category"])] = str(row.get("department", row.get("department_code")))
    return deps, routes


def seed_departments(session: Session, path: Path | None = None) -> int:
    """Create missing departments (parents first) and fix names/parents of existing ones; returns #created."""
    deps, _ = load_routing(path)
    by_code = {d.code: d for d in session.scalars(select(Department))}
    created = 0
    pending = list(deps)
    while pending:
        progressed = False
        for row in list(pending):
            parent_code = row["parent"]
            if parent_code and parent_code not in by_code:
                continue
            dep = by_code.get(row["code"])
            if dep is None:
                dep = Department(code=row["code"])
                session.add(dep)
                by_code[row["code"]] = dep
                created += 1
            dep.name = row["name"]
            dep.parent_id = by_code[parent_code].id if parent_code else None
            dep.level = row["level"] or ("city" if not parent_code else "department")
            session.flush()
            pending.remove(row)
            progressed = True
        if not progressed:
            missing = sorted({str(r["parent"]) for r in pending})
            raise InputError(f"unknown parent department(s) {', '.join(missing)}", field="parent")
    return created


def department_by_code(session: Session, code: str) -> Department:
    """The department with ``code``; created on the fly from the routing tree if only it knows it."""
    dep = session.scalar(select(Department).where(Department.code == code))
    if dep is not None:
        return dep
    deps, _ = load_routing()
    if any(row["code"] == code for row in deps):
        seed_departments(session)
        dep = session.scalar(select(Department).where(Department.code == code))
        if dep is not None:
            return dep
    raise NotFoundError(f"department {code!r} does not exist")


def department_for_category(session: Session, category: str | None) -> Department | None:
    """The department that handles ``category`` (database routing rules first, then the YAML)."""
    if not category:
        return None
    code = _db_route(session, category)
    if code is None:
        code = load_routing()[1].get(category)
    return department_by_code(session, code) if code else None


def _db_route(session: Session, category: str) -> str | None:
    """The routing feature's database rule for ``category`` (administrators change it there, audited)."""
    return session.scalar(select(RoutingRule.department_code).where(RoutingRule.category == category))


def escalation_chain(session: Session, department_id: int | None) -> list[Department]:
    """The levels above ``department_id``, nearest first (where an overdue case escalates to)."""
    chain: list[Department] = []
    seen: set[int] = set()
    dep = session.get(Department, department_id) if department_id else None
    while dep is not None and dep.parent_id is not None and dep.parent_id not in seen:
        seen.add(dep.parent_id)
        dep = session.get(Department, dep.parent_id)
        if dep is not None:
            chain.append(dep)
    return chain


def list_departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.code)))
