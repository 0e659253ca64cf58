"""Inject synthetic bursts into a real archive, to measure how fast and how reliably bursts are detected.

A burst is ``size`` new messages about the problem of one real *template* message, written by ``size``
different (fictitious) people over ``hours`` hours from ``start``. Each copy is perturbed like real repeat
complaints are: another lead word in the title (反映/投诉/再次反映 …), sentences of the body shuffled and one
dropped, and a fifth of the content words dropped from the segmented text — so the copies are near, never
exact, duplicates and must be grouped by similarity like real ones.
"""

from __future__ import annotations

import csv
import random
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from massline.core.errors import InputError
from massline.guide.corpus import GuideMessage
from massline.guide.text import Features

LEADS = ("", "反映", "投诉", "再次反映", "强烈要求解决", "关于", "紧急求助：")
INJECTED_ID_BASE = -1_000_000


def perturb_body(body: str, rng: random.Random) -> str:
    parts = [p for p in body.replace("！", "。").replace("？", "。").split("。") if p.strip()]
    if len(parts) > 2:
        parts.pop(rng.randrange(len(parts)))
        rng.shuffle(parts)
    return "。".join(parts) + "。"


def perturb_features(feats: Features, rng: random.Random) -> Features:
    places = {name for name, _ in feats.places}
    words = [w for w in feats.words if w in places or rng.random() > 0.2]
    return replace(feats, words=words or list(feats.words))


def make_burst(template: GuideMessage, template_feats: Features, *, size: int, hours: float, start: datetime,
               seed: int = 0, first_id: int = INJECTED_ID_BASE) -> list[tuple[GuideMessage, Features]]:
    """``size`` perturbed copies of ``template`` spread evenly (with jitter) over ``hours`` from ``start``."""
    rng = random.Random(seed)
    out = []
    step = hours / max(size - 1, 1)
    for k in range(size):
        offset = min(hours, max(0.0, k * step + rng.uniform(-0.3, 0.3) * step)) if size > 1 else 0.0
        when = start + timedelta(hours=offset if k else 0.0)
        msg = GuideMessage(
            id=first_id - k, external_id=f"inj{seed}-{k}", title=f"{rng.choice(LEADS)}{template.title}",
            body=perturb_body(template.body, rng), created_at=when, author=f"injected-{seed}-{k}",
            likes=rng.randint(0, 3), dislikes=0, injected=True)
        out.append((msg, perturb_features(template_feats, rng)))
    return out


TAIDI_COLUMNS = ("留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "反对数", "点赞数")


def write_with_burst(source: Path, output: Path, *, template_id: str | None, size: int, hours: float,
                     start: datetime | None = None, seed: int = 0) -> list[GuideMessage]:
    """Copy a 泰迪杯-style CSV to ``output`` with a burst appended (the injection tool of ``massline guide inject``).

    The template is the message with 留言编号 ``template_id`` (default: a random one); the burst starts at
    ``start`` (default: one day after the file's last message). Injected 留言编号 are ``inj<seed>-<k>``.
    """
    from massline.guide.corpus import read_file
    from massline.guide.hot import LOCAL_TZ
    from massline.guide.text import features, warm

    messages = read_file(source)
    if not messages:
        raise InputError(f"{source}: no message with a time", field="--data")
    if template_id is None:
        template = random.Random(seed).choice(messages)
    else:
        found = [m for m in messages if m.external_id == template_id]
        if not found:
            raise InputError(f"no message with 留言编号 {template_id!r} in {source}", field="--template")
        template = found[0]
    warm()
    begin = start or messages[-1].created_at + timedelta(days=1)
    burst = make_burst(template, features(template), size=size, hours=hours, start=begin, seed=seed)
    with source.open(encoding="utf-8-sig", newline="") as f_in, output.open("w", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f_in))
        writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()) if rows else list(TAIDI_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
        for msg, _ in burst:
            writer.writerow({"留言编号": msg.external_id, "留言用户": msg.author, "留言主题": msg.title,
                             "留言时间": f"{msg.created_at.astimezone(LOCAL_TZ):%Y/%m/%d %H:%M:%S}",
                             "留言详情": msg.body, "反对数": msg.dislikes, "点赞数": msg.likes})
    return [b[0] for b in burst]
