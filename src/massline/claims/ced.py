"""The shipped CED Weibo rumor set (``shared/data/rumor_ced``) as claims and as labelled posts.

CED (Song et al. 2018, arXiv:1811.04175; thunlp/Chinese_Rumor_Dataset) holds 3,387 original
microblogs: 1,538 that Sina Weibo's 不实信息举报平台 judged false ("rumor") and 1,849 ordinary
posts. The repo states no licence (it asks for a citation), so we ship only what we derive.

As an evidence base each rumor becomes one claim with verdict ``false`` (the platform's
judgement), the original post as the source and its date; duplicates (same opening) are kept
once. Why whole posts as claims: that is what a desk imports from a fact-check feed, and what
citizens forward.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from massline.claims.evidence import ClaimRecord
from massline.claims.text import normalise
from massline.core.errors import InputError

CED_FILE = "ced_original_microblogs.csv"
SHARED_DATA_ENV = "MASSLINE_SHARED_DATA"
EVIDENCE_NOTE = ("新浪微博不实信息举报平台判定该微博为不实信息（CED 谣言数据集，Song et al. 2018, "
                 "arXiv:1811.04175）。数据集中 {posts} 条相同说法的原帖共被转发 {reposts} 次、评论 {comments} 次。")
SOURCE_TITLE = "新浪微博原帖（CED 数据集收录，原帖可能已删除）"
_TAGS = re.compile(r"\[[^\[\]]{1,8}\]|https?://\S+|@[\w\u4e00-\u9fff-]{1,30}[:：]?|//")
_SPACES = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True)
class CedPost:
    file: str
    label: str  # rumor | non-rumor
    text: str
    date: str
    reposts: int
    comments: int
    likes: int
    pics: int
    has_url: bool
    verified: bool
    followers: float
    location: str

    @property
    def mid(self) -> str:
        parts = self.file.removesuffix(".json").split("_")
        return parts[1] if len(parts) >= 3 else parts[0]

    @property
    def uid(self) -> str:
        parts = self.file.removesuffix(".json").split("_")
        return parts[2] if len(parts) >= 3 else ""


def shared_file(folder: str, name: str) -> Path:
    """``$MASSLINE_SHARED_DATA/<folder>/<name>``, else ``shared/data/<folder>/<name>`` above cwd or the checkout."""
    candidates: list[Path] = []
    env = os.environ.get(SHARED_DATA_ENV)
    if env:
        candidates.append(Path(env) / folder / name)
    for start in (Path.cwd().resolve(), Path(__file__).resolve().parent):
        candidates += [p / "shared" / "data" / folder / name for p in (start, *start.parents)]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise InputError(f"shipped data file {folder}/{name} not found; set {SHARED_DATA_ENV} to the shared data "
                     "folder", origin=name)


def clean_post(text: str) -> str:
    """The post without emoji tags, links, @mentions and repost markers, spaces collapsed."""
    return _SPACES.sub(" ", _TAGS.sub(" ", text or "")).strip(" ，,。")


def _int(value: str) -> int:
    try:
        return int(float(value))
    except ValueError:
        return 0


def read_ced(path: Path | None = None) -> list[CedPost]:
    path = path or shared_file("rumor_ced", CED_FILE)
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    posts = []
    for row in rows:
        try:
            followers = float(row.get("user_followers") or 0)
        except ValueError:
            followers = 0.0
        posts.append(CedPost(file=row["file"], label=row["label"], text=row["text"] or "",
                             date=(row.get("time_utc") or "")[:10], reposts=_int(row.get("reposts") or "0"),
                             comments=_int(row.get("comments") or "0"), likes=_int(row.get("likes") or "0"),
                             pics=_int(row.get("pics") or "0"), has_url=row.get("has_url") == "True",
                             verified=row.get("user_verified") == "True", followers=followers,
                             location=row.get("user_location") or ""))
    return posts


def group_near_duplicates(texts: list[str], *, overlap: float = 0.5) -> list[int]:
    """Group id per text: texts sharing at least ``overlap`` of the smaller one's character 3-grams
    are one group (transitively). Why overlap of the smaller: a repost that quotes half a rumor is
    still that rumor."""
    import scipy.sparse as sp  # only when grouping (training, evaluation): not on analyze's import path

    grams = [{t[i : i + 3] for i in range(max(len(t) - 2, 1))} for t in texts]
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for ri, gs in enumerate(grams):
        for g in gs:
            rows.append(ri)
            cols.append(vocab.setdefault(g, len(vocab)))
    x = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), max(len(vocab), 1)))
    inter = (x @ x.T).tocoo()
    sizes = np.asarray([max(len(g), 1) for g in grams])
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b, n in zip(inter.row, inter.col, inter.data, strict=True):
        if a < b and n >= overlap * min(sizes[a], sizes[b]):
            parent[find(int(a))] = find(int(b))
    return [find(i) for i in range(len(texts))]


def ced_claims(posts: list[CedPost], *, min_chars: int = 15) -> list[ClaimRecord]:
    """One ``false`` claim per group of near-duplicate rumor posts (at least ``min_chars`` characters of
    content); the earliest post is the claim, the other posts its variants."""
    rumors = sorted((p for p in posts if p.label == "rumor" and len(normalise(clean_post(p.text))) >= min_chars),
                    key=lambda p: (p.date, p.file))
    groups = group_near_duplicates([normalise(clean_post(p.text)) for p in rumors])
    members: dict[int, list[CedPost]] = {}
    for post, group in zip(rumors, groups, strict=True):
        members.setdefault(group, []).append(post)
    records: list[ClaimRecord] = []
    for group_posts in sorted(members.values(), key=lambda ps: (ps[0].date, ps[0].file)):
        post = group_posts[0]
        text = clean_post(post.text)
        variants = []
        for other in group_posts[1:]:
            other_text = clean_post(other.text)
            if other_text != text and other_text not in variants:
                variants.append(other_text)
        date = post.date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", post.date) else ""
        url = f"https://weibo.com/{post.uid}/{post.mid}" if post.uid else ""
        records.append(ClaimRecord(
            claim_id=f"ced-{post.mid}", text=text, verdict="false", variants=variants,
            evidence=EVIDENCE_NOTE.format(reposts=sum(p.reposts for p in group_posts),
                                          comments=sum(p.comments for p in group_posts), posts=len(group_posts)),
            sources=[{"url": url, "title": SOURCE_TITLE, "date": date}] if url else [],
            author="CED / 新浪微博不实信息举报平台", language="zh", claim_date=date or None))
    return records
