"""E-mail subscriptions by topic and district: double opt-in, one-click unsubscribe, no tracking.

Why double opt-in: anyone can type anyone's address into a form; only the owner of the mailbox
can click the confirmation link, so no mail but the confirmation ever goes to an address that
did not ask. Every mail carries ``List-Unsubscribe`` and ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click`` (RFC 8058) and a link to the same token; mails are plain text with
a simple HTML alternative — no images, no per-reader links other than the unsubscribe token,
nothing that reports an opening. Feed and webhook subscriptions need no address: they are the
``?topic=`` / ``?district=`` feeds and the filtered webhook endpoints.
"""

from __future__ import annotations

import html
import re
import secrets
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.config import Settings
from massline.core.errors import ConfigError, InputError, NotFoundError
from massline.db.base import utcnow
from massline.db.models.publish import Post, Subscription

_EMAIL: Final = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    unsubscribe_url: str | None = None


def _clean_email(value: str) -> str:
    email = (value or "").strip()
    if not _EMAIL.match(email):
        raise InputError("is not an e-mail address", field="email")
    return email.lower()


def subscribe(session: Session, *, email: str, topic: str | None, district: str | None) -> Subscription:
    """A pending subscription (an active or pending one for the same address and scope is reused)."""
    address = _clean_email(email)
    topic, district = (topic or "").strip() or None, (district or "").strip() or None
    existing = session.scalars(select(Subscription).where(
        Subscription.email == address, Subscription.status.in_(("pending", "active")))).all()
    for sub in existing:
        if (sub.topic, sub.district) == (topic, district):
            return sub
    sub = Subscription(email=address, topic=topic, district=district, status="pending",
                       token=secrets.token_urlsafe(24), created_at=utcnow())
    session.add(sub)
    session.flush()
    return sub


def _by_token(session: Session, token: str) -> Subscription:
    sub = session.scalar(select(Subscription).where(Subscription.token == token))
    if sub is None:
        raise NotFoundError("unknown or expired link")
    return sub


def confirm(session: Session, token: str) -> Subscription:
    sub = _by_token(session, token)
    if sub.status == "pending":
        sub.status, sub.confirmed_at = "active", utcnow()
    return sub


def unsubscribe(session: Session, token: str) -> Subscription:
    """Ends the subscription (kept as a row so a repeated click still answers; the address is removed)."""
    sub = _by_token(session, token)
    if sub.status != "unsubscribed":
        sub.status, sub.unsubscribed_at = "unsubscribed", utcnow()
        sub.email = ""  # nothing kept about someone who left
    return sub


def scope_name(sub: Subscription) -> str:
    return " · ".join(p for p in (sub.topic, sub.district) if p) or "全部信息"


def confirmation_mail(settings: Settings, sub: Subscription) -> Mail:
    base = settings.public_base_url.rstrip("/")
    text = (f"您好！有人用本邮箱订阅了“{scope_name(sub)}”的信息发布。\n\n"
            f"如确是您本人，请打开以下链接确认订阅：\n{base}/subscriptions/confirm/{sub.token}\n\n"
            "如果不是您，请忽略本邮件，我们不会再给您发信。")
    return Mail(to=sub.email, subject=f"请确认订阅：{scope_name(sub)}", text=text)


def _matches(sub: Subscription, post: Post) -> bool:
    return (sub.topic is None or sub.topic in (post.topics or [])) and \
        (sub.district is None or sub.district in (post.districts or []))


def post_mails(settings: Settings, session: Session, post: Post) -> list[Mail]:
    """One mail per active subscription that matches the post (public view of the text)."""
    from massline.publish.feeds import entry_of

    base = settings.public_base_url.rstrip("/")
    entry = entry_of(post, base)
    out = []
    for sub in session.scalars(select(Subscription).where(Subscription.status == "active")
                               .order_by(Subscription.id)):
        if not _matches(sub, post) or not sub.email:
            continue
        unsub = f"{base}/subscriptions/unsubscribe/{sub.token}"
        text = (f"{entry['title']}\n\n{entry['summary']}\n\n阅读全文：{entry['url']}\n\n"
                f"您收到本邮件是因为订阅了“{scope_name(sub)}”。退订：{unsub}")
        out.append(Mail(to=sub.email, subject=f"[{entry['kind_name']}] {entry['title']}", text=text,
                        unsubscribe_url=unsub))
    return out


def _message(settings: Settings, mail: Mail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    if mail.unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(mail.text)
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in mail.text.split("\n\n"))
    msg.add_alternative(f"<!doctype html><html><body>{paragraphs}</body></html>", subtype="html")
    return msg


def send_mails(settings: Settings, mails: Iterable[Mail]) -> int:
    """Send through the configured SMTP server (one connection); the number sent."""
    batch = list(mails)
    if not batch:
        return 0
    if not settings.smtp_host:
        raise ConfigError("no SMTP server configured (set MASSLINE_SMTP_HOST)")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        for mail in batch:
            smtp.send_message(_message(settings, mail))
    return len(batch)
