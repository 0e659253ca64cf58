"""Roles and departments, API keys, and secrets never stored or logged in clear."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from massline import serve
from massline.core.errors import InputError, NotFoundError, PermissionDenied
from massline.db.base import Base
from massline.db.models.users import User


def test_when_a_handler_of_department_a_asks_for_b_case_then_not_found_and_cannot_act(
    seeded: Session, users: dict[str, User]
) -> None:
    wo_b = serve.open_work_order(seeded, description="公交站牌损坏", category="交通运输", department_code="jtysj")
    h_a = users["h_zjj"]
    with pytest.raises(NotFoundError):
        serve.get_work_order(seeded, wo_b.id, h_a)
    assert serve.list_work_orders(seeded, user=h_a) == []
    assert serve.count_work_orders(seeded, user=h_a) == 0
    with pytest.raises(PermissionDenied):
        serve.accept(seeded, wo_b, actor=h_a)
    with pytest.raises(PermissionDenied):
        serve.transfer(seeded, wo_b, department_code="zjj", actor=h_a, reason="x")
    with pytest.raises(PermissionDenied):
        serve.return_to_dispatch(seeded, wo_b, actor=h_a, reason="x")
    assert wo_b.status == "assigned"
    assert serve.get_work_order(seeded, wo_b.id, users["h_jt"]) is wo_b
    assert serve.list_work_orders(seeded, user=users["disp"]) == [wo_b]
    with pytest.raises(PermissionDenied):
        serve.accept(seeded, wo_b, actor=users["ana"])  # analysts read, never act
    with pytest.raises(PermissionDenied):
        serve.contact_of(seeded, wo_b, user=users["ana"])


def test_when_an_api_key_is_revoked_then_it_is_refused(seeded: Session) -> None:
    key, plaintext = serve.create_api_key(seeded, "city app", actor="admin")
    assert serve.verify_api_key(seeded, plaintext) is key
    assert serve.verify_api_key(seeded, plaintext + "x") is None
    assert serve.verify_api_key(seeded, "") is None
    serve.revoke_api_key(seeded, key.prefix, actor="admin")
    assert serve.verify_api_key(seeded, plaintext) is None
    assert plaintext not in key.key_hash and key.prefix == plaintext[:10]


def test_when_users_log_in_then_passwords_and_keys_are_never_stored_or_logged_in_clear(
    seeded: Session, users: dict[str, User], password: str
) -> None:
    assert serve.authenticate(seeded, username="h_zjj", password=password) is users["h_zjj"]
    assert serve.authenticate(seeded, username="h_zjj", password="wrong password") is None
    _, plaintext = serve.create_api_key(seeded, "client")
    serve.set_password(seeded, users["disp"], "another secret 123")
    with pytest.raises(InputError, match="password"):
        serve.create_user(seeded, username="short", password="abc", role="analyst")
    seeded.flush()
    dump = []
    for table in Base.metadata.sorted_tables:
        for row in seeded.execute(select(table)):
            dump.append(" ".join(str(v) for v in row))
    blob = "\n".join(dump)
    for secret in (password, "wrong password", plaintext, "another secret 123"):
        assert secret not in blob
    actions = set(seeded.scalars(text("SELECT action FROM audit_events")))
    assert {"auth.login", "auth.login_failed", "admin.user_create", "admin.api_key_create"} <= actions
    assert users["h_zjj"].password_hash.startswith("$argon2")


def test_when_staff_read_a_requester_contact_then_the_read_is_audited(
    seeded: Session, users: dict[str, User]
) -> None:
    wo = serve.open_work_order(seeded, description="噪音", category="环境保护", department_code="sthjj",
                               contact=serve.ContactInfo(phone="13812345678", first_name="李"), secret_key="k")
    contact = serve.contact_of(seeded, wo, user=users["h_env"], reason="回电核实")
    assert contact is not None and contact.phone == "13812345678"
    seeded.flush()
    row = seeded.execute(text("SELECT actor, object_id, reason FROM audit_events WHERE action = 'pii.raw_view'")).one()
    assert tuple(row) == ("h_env", str(wo.id), "回电核实")
    assert "13812345678" not in (wo.description + wo.public_description)
