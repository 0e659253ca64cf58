"""Webhooks to partner systems: signed JSON, retried with backoff, every delivery logged, re-sendable.

Why an outbox: publishing adds a ``pending`` :class:`WebhookDelivery` row in the same transaction
as the state change, and :func:`deliver_due` sends them afterwards (right after the commit, and
from the scheduler for retries). A crash between the two loses nothing; a slow receiver never holds
a database transaction.

Signature: ``X-Massline-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes with the
endpoint's secret>``, plus ``X-Massline-Event`` and ``X-Massline-Delivery`` (the delivery id, so a
receiver can drop repeats). Backoff: attempt *n* failed → next try after ``BACKOFF_SECONDS × 2^(n-1)``,
up to ``settings.webhook_max_attempts`` attempts, then ``failed`` (a person can re-send it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta
from typing import Any, Final

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from massline.core.errors import InputError, NotFoundError
from massline.db.base import utcnow
from massline.db.models.publish import Post, WebhookDelivery, WebhookEndpoint
from massline.db.repositories.audit import record_audit
from massline.serve.sla import as_utc

SIGNATURE_HEADER: Final = "X-Massline-Signature"
EVENT_HEADER: Final = "X-Massline-Event"
DELIVERY_HEADER: Final = "X-Massline-Delivery"
BACKOFF_SECONDS: Final = 30.0
TIMEOUT_SECONDS: Final = 10.0


def sign(secret: str, body: bytes) -> str:
    """The signature header value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver does (constant-time compare); used by our tests' receiver too."""
    return bool(header) and hmac.compare_digest(sign(secret, body), str(header))


def create_endpoint(session: Session, *, name: str, url: str, actor: str, secret: str | None = None,
                    topics: list[str] | None = None, districts: list[str] | None = None) -> WebhookEndpoint:
    if not url.startswith(("http://", "https://")):
        raise InputError("must be an http(s) URL", field="url")
    endpoint = WebhookEndpoint(name=name.strip() or url, url=url, secret=secret or secrets.token_hex(24),
                               topics=list(topics or []), districts=list(districts or []), created_by=actor)
    session.add(endpoint)
    session.flush()
    record_audit(session, actor=actor, action="webhook.create", object_type="webhook", object_id=endpoint.id,
                 detail={"url": url, "topics": endpoint.topics, "districts": endpoint.districts})
    return endpoint


def _matches(endpoint: WebhookEndpoint, post: Post) -> bool:
    topics, districts = set(endpoint.topics or []), set(endpoint.districts or [])
    return (not topics or bool(topics & set(post.topics or []))) and \
        (not districts or bool(districts & set(post.districts or [])))


def payload_for(post: Post, event: str) -> dict[str, Any]:
    from massline.publish.feeds import entry_of  # the same public view of a post as the feeds

    return {"event": event, "post": entry_of(post)}


def enqueue_post_event(session: Session, post: Post, event: str, *, now: datetime | None = None) -> list[int]:
    """Pending deliveries of ``event`` about ``post`` to every active matching endpoint (ids)."""
    ids: list[int] = []
    when = now or utcnow()
    body: str | None = None
    for endpoint in session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))):
        if not _matches(endpoint, post):
            continue
        body = body or json.dumps(payload_for(post, event), ensure_ascii=False, sort_keys=True)
        row = WebhookDelivery(endpoint_id=endpoint.id, post_id=post.id, event=event, payload=body,
                              status="pending", next_attempt_at=when, created_at=when)
        session.add(row)
        session.flush()
        ids.append(row.id)
    return ids


def attempt(session: Session, delivery: WebhookDelivery, *, max_attempts: int, now: datetime | None = None,
            client: httpx.Client | None = None) -> WebhookDelivery:
    """Send one delivery once; record the outcome and schedule the next try on failure."""
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None:
        raise NotFoundError(f"webhook endpoint {delivery.endpoint_id} does not exist")
    body = delivery.payload.encode()
    headers = {"Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(endpoint.secret, body),
               EVENT_HEADER: delivery.event, DELIVERY_HEADER: str(delivery.id),
               "User-Agent": "massline-webhooks/1"}
    delivery.attempts += 1
    error: str | None = None
    code: int | None = None
    try:
        if client is not None:
            response = client.post(endpoint.url, content=body, headers=headers)
        else:
            with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as own:
                response = own.post(endpoint.url, content=body, headers=headers)
        code = response.status_code
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    when = as_utc(now) if now is not None else utcnow()
    delivery.last_status_code = code
    delivery.last_error = error
    if error is None:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", when, None
    elif delivery.attempts >= max_attempts:
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        delivery.status = "pending"
        delivery.next_attempt_at = when + timedelta(seconds=BACKOFF_SECONDS * 2 ** (delivery.attempts - 1))
    session.flush()
    return delivery


def deliver_due(session: Session, *, max_attempts: int, now: datetime | None = None, limit: int = 100,
                client: httpx.Client | None = None) -> dict[str, int]:
    """Try every pending delivery whose time has come; counts by outcome."""
    when = as_utc(now) if now is not None else utcnow()
    due = session.scalars(select(WebhookDelivery).where(
        WebhookDelivery.status == "pending",
        or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= when),
    ).order_by(WebhookDelivery.id).limit(limit)).all()
    counts = {"delivered": 0, "retry": 0, "failed": 0}
    for delivery in due:
        attempt(session, delivery, max_attempts=max_attempts, now=when, client=client)
        key = {"delivered": "delivered", "failed": "failed"}.get(delivery.status, "retry")
        counts[key] += 1
    return counts


def resend(session: Session, delivery_id: int, *, actor: str, now: datetime | None = None) -> WebhookDelivery:
    """A new pending delivery with the same payload (the old row stays in the log)."""
    old = session.get(WebhookDelivery, delivery_id)
    if old is None:
        raise NotFoundError(f"webhook delivery {delivery_id} does not exist")
    when = as_utc(now) if now is not None else utcnow()
    row = WebhookDelivery(endpoint_id=old.endpoint_id, post_id=old.post_id, event=old.event, payload=old.payload,
                          status="pending", next_attempt_at=when, created_at=when, resent_from_id=old.id)
    session.add(row)
    session.flush()
    record_audit(session, actor=actor, action="webhook.resend", object_type="webhook_delivery", object_id=row.id,
                 detail={"from": old.id})
    return row


def deliveries(session: Session, *, limit: int = 100) -> list[WebhookDelivery]:
    return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)))


def endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))
