"""Audience segments — district × topic × channel interest — from aggregates only, k-anonymous.

Who counts: a message's author (its keyed pseudonym ``author_ref``) in the message's district and
category (channel 留言); an active e-mail subscription in its district and topic (channel 订阅; an
unscoped subscription counts as 全部); a reader's reaction on a post, per post district and topic
(channel 反馈; a reaction's reader key changes every day, so one reader on two days counts twice —
the count is an upper bound, which only makes cells look *bigger*, so it is documented, not hidden).

k-anonymity: people are collected in memory for one computation and dropped; only counts leave.
A cell is shown when it holds at least ``k`` distinct people (``settings.segment_k``, never below
10). Smaller cells are merged, only with each other, into (district, topic, 其他渠道); what is
still smaller is merged into (其他区县, topic, 合并); what is still smaller is suppressed (only the
number of such cells is reported, never their people). Because merged cells contain only cells
that are not shown, no difference of shown cells reveals a small group. Nothing here is stored.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from massline.core.errors import InputError
from massline.db.models.message import AnalysisResult, Message
from massline.db.models.publish import Post, Reaction, Subscription
from massline.serve.cases import detect_district

MIN_K: Final = 10
ALL: Final = "全部"
OTHER_CHANNELS: Final = "其他渠道"
OTHER_DISTRICTS: Final = "其他区县"
MERGED: Final = "合并"
CHANNELS: Final = ("留言", "订阅", "反馈")

Cell = tuple[str, str, str]  # district, topic, channel


@dataclass(frozen=True)
class SegmentRow:
    district: str
    topic: str
    channel: str
    people: int
    merged: bool = False


@dataclass
class SegmentTable:
    k: int
    rows: list[SegmentRow] = field(default_factory=list)
    suppressed_cells: int = 0


def _message_people(session: Session) -> Iterator[tuple[Cell, str]]:
    categories: dict[int, str] = {}
    stmt = select(AnalysisResult.message_id, AnalysisResult.value).where(
        AnalysisResult.key == "category", AnalysisResult.current.is_(True))
    for mid, value in session.execute(stmt):
        label = value.get("label") if isinstance(value, dict) else value
        if isinstance(label, str) and label:
            categories[int(mid)] = label
    stmt2 = select(Message.id, Message.author_ref, Message.title, Message.body, Message.meta).where(
        Message.author_ref.is_not(None), Message.duplicate_of.is_(None))
    for mid, ref, title, body, meta in session.execute(stmt2).yield_per(2000):
        meta = meta or {}
        topic = categories.get(int(mid)) or meta.get("label")
        district = meta.get("district") or detect_district(title, body)
        if topic and district:
            yield (str(district), str(topic), "留言"), f"m:{ref}"


def _subscription_people(session: Session) -> Iterator[tuple[Cell, str]]:
    for sub in session.scalars(select(Subscription).where(Subscription.status == "active")):
        person = "s:" + hashlib.sha256(sub.email.encode()).hexdigest()
        yield (sub.district or ALL, sub.topic or ALL, "订阅"), person


def _reaction_people(session: Session) -> Iterator[tuple[Cell, str]]:
    posts = {p.id: p for p in session.scalars(select(Post).where(Post.status.in_(("published", "archived"))))}
    for post_id, ref in session.execute(select(Reaction.post_id, Reaction.client_day)):
        post = posts.get(int(post_id))
        if post is None:
            continue
        for district in post.districts or [ALL]:
            for topic in post.topics or [ALL]:
                yield (str(district), str(topic), "反馈"), f"r:{ref}"


def k_anonymous(pairs: Iterable[tuple[Cell, str]], k: int) -> SegmentTable:
    """Cells of distinct people, small cells merged as the module says, the rest suppressed."""
    if k < MIN_K:
        raise InputError(f"k must be at least {MIN_K}", field="k")
    people: dict[Cell, set[str]] = defaultdict(set)
    for cell, person in pairs:
        people[cell].add(person)
    table = SegmentTable(k=k)
    small: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (district, topic, channel), members in people.items():
        if len(members) >= k:
            table.rows.append(SegmentRow(district, topic, channel, len(members)))
        else:
            small[(district, topic)] |= members
    smaller: dict[str, set[str]] = defaultdict(set)
    for (district, topic), members in small.items():
        if len(members) >= k:
            table.rows.append(SegmentRow(district, topic, OTHER_CHANNELS, len(members), merged=True))
        else:
            smaller[topic] |= members
    for topic, members in smaller.items():
        if len(members) >= k:
            table.rows.append(SegmentRow(OTHER_DISTRICTS, topic, MERGED, len(members), merged=True))
        else:
            table.suppressed_cells += 1
    table.rows.sort(key=lambda r: (-r.people, r.district, r.topic, r.channel))
    return table


def audience_segments(session: Session, *, k: int) -> SegmentTable:
    """The k-anonymous segment table of this installation, computed now from messages, subscriptions, reactions."""

    def pairs() -> Iterator[tuple[Cell, str]]:
        yield from _message_people(session)
        yield from _subscription_people(session)
        yield from _reaction_people(session)

    return k_anonymous(pairs(), k)


def to_csv(table: SegmentTable) -> str:
    """The export: the shown cells only (every one ≥ k)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["district", "topic", "channel", "people", "merged"])
    for row in table.rows:
        assert row.people >= table.k  # the invariant the k-anonymity test also checks
        writer.writerow([row.district, row.topic, row.channel, row.people, int(row.merged)])
    return out.getvalue()
