"""Both request channels (Open311 POST, the public portal) go through ``receive_request``: cleaned, and
deduplicated by their routing (which runs the duplicate check intake left to it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.db.models.intake import RawItem
from massline.db.models.message import Message
from massline.db.models.workorders import WorkOrder
from massline.store.dedup_shared import link_deferred
from massline.web.api.open311_params import NewRequest
from massline.web.api.open311_services import get_service
from massline.web.api.open311_store import submit
from massline.web.pages.forms import validate_public_request
from massline.web.pages.intake import submit_public_request

TRADITIONAL = "小區門口下水道堵塞，污水外溢已經三天了"
SIMPLIFIED = "小区门口下水道堵塞，污水外溢已经三天了"


def _portal(session: Session, settings: Settings) -> Message:
    req = validate_public_request({"service_code": "huanjing-baohu", "title": "下水道堵塞", "description": TRADITIONAL,
                                   "address_string": "A1区 某某路 12 号", "name": "张三", "email": "zhang@example.cn",
                                   "phone": "13812345678", "public_reply": "yes"})
    assert req.valid, req.errors
    wo = submit_public_request(session, req, settings=settings)
    assert session.query(WorkOrder).filter_by(token=wo.token).one() is wo
    message = session.get(Message, wo.message_id)
    assert message is not None and wo.source == "web"
    return _routed(session, settings, message)


def _open311(session: Session, settings: Settings) -> Message:
    service = get_service("huanjing-baohu")
    req = NewRequest(service_code=service.code, address_string="A1区 某某路 12 号", description=TRADITIONAL,
                     contact={"email": "zhang@example.cn", "phone": "13812345678"})
    wo = submit(session, settings, req, service, {"title": "下水道堵塞"}, api_key_id=7)
    assert session.get(WorkOrder, wo.id) is wo and wo.source == "open311"
    message = session.get(Message, wo.message_id)
    assert message is not None
    return _routed(session, settings, message)


def _routed(session: Session, settings: Settings, message: Message) -> Message:
    """The message after its routing task's duplicate check (intake stores it without one)."""
    assert message.content_hash is None and message.duplicate_of is None
    assert link_deferred(session, settings.near_duplicate_threshold, [message.id]) == 1
    assert link_deferred(session, settings.near_duplicate_threshold, [message.id]) == 0  # once
    return message


def test_when_both_channels_submit_then_messages_are_cleaned_and_repeats_link_as_duplicates(
    session: Session, settings: Settings
) -> None:
    first = _portal(session, settings)
    assert first.body == SIMPLIFIED and first.original == TRADITIONAL
    assert first.content_hash and first.duplicate_of is None and first.author_ref
    raw = session.get(RawItem, first.raw_item_id)
    assert raw is not None and b"zhang@example.cn" not in raw.content  # portal contacts stay out of the raw item
    second = _portal(session, settings)
    assert second.id != first.id and second.raw_item_id != first.raw_item_id  # two requests, both kept raw
    assert second.duplicate_of == first.id and second.author_ref == first.author_ref
    third = _open311(session, settings)
    assert third.body == SIMPLIFIED and third.content_hash == first.content_hash
    assert third.duplicate_of == first.id
    assert b"zhang@example.cn" not in third.body.encode() and "13812345678" not in (third.title or "")
