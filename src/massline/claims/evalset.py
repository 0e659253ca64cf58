"""The paraphrase evaluation set for claim matching, generated deterministically from CED.

Why generated: there is no public set of Chinese citizen messages paired with the checked claim
they repeat. So each sampled CED rumor is restated the way a citizen asks about or forwards it
(see ``evaluation/claims/README.md``): a *part* of the post (one or two sentences, often cut
short), some words swapped for everyday synonyms, wrapped in a question or forwarding
template (``听说…是真的吗？``), sometimes in traditional script or with full-width digits. The
random choices are seeded by the claim id, so the same input always gives the same file.
Negatives are real, unrelated citizen messages from 附件2 (fj2_dev.csv).

The split is fixed by a hash of the pair id: ``tune`` (used to fit the calibration and pick the
threshold) and ``test`` (only reported).
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import opencc

from massline.analyze.segment import cut
from massline.claims.ced import CedPost, clean_post
from massline.claims.evidence import ClaimRecord

TEMPLATES = (
    "听说{c}，是真的吗？",
    "网上传{c}，请问属实吗？",
    "朋友圈都在转：{c}。有关部门能不能核实一下？",
    "{c}？求辟谣",
    "我家群里有人发“{c}”，这是真的假的？",
    "请问{c}这件事是真的吗",
    "有人说{c}，到底怎么回事？",
    "转发：{c}",
    "{c}。大家帮忙转一下！",
    "刚看到消息说{c}，政府能出来说明一下吗？",
    "{c}，这个消息可靠吗？",
    "邻居跟我讲{c}，我有点担心，是真的吗？",
)
#: Everyday synonyms a person uses when retelling (applied left to right, each with probability ½).
SUBSTITUTIONS = (
    ("今天", "今日"), ("昨天", "昨日"), ("昨晚", "昨天晚上"), ("孩子", "小孩"), ("小孩", "孩子"),
    ("警察", "民警"), ("死亡", "死了"), ("身亡", "死了"), ("医院", "医院里"), ("目前", "现在"),
    ("发生", "出了"), ("已经", "已"), ("网友", "有人"), ("称", "说"), ("立即", "马上"), ("非常", "很"),
    ("大家", "各位"), ("母亲", "妈妈"), ("父亲", "爸爸"), ("男子", "男的"), ("女子", "女的"),
    ("请转发", ""), ("扩散", ""), ("紧急", ""), ("千万", ""), ("！", "，"),
)
_SENTENCES = re.compile(r"(?<=[。！？!?；;])")
_GENERIC = re.compile(r"转发|扩散|帮忙|求辟谣|猛戳|^评[:：]|^微评|请看|视频")
_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
_S2T: opencc.OpenCC | None = None


@dataclass(frozen=True)
class Pair:
    id: str
    text: str
    claim_id: str | None  # None = unrelated message (a negative)
    split: str  # tune | test
    how: str  # which transformations made it


def _rng(key: str) -> random.Random:
    return random.Random(int(hashlib.sha1(key.encode()).hexdigest()[:12], 16))


def split_of(key: str) -> str:
    return "tune" if int(hashlib.sha1(f"split:{key}".encode()).hexdigest()[:8], 16) % 2 == 0 else "test"


def _s2t(text: str) -> str:
    global _S2T
    if _S2T is None:
        _S2T = opencc.OpenCC("s2t")
    return str(_S2T.convert(text))


def core_of(text: str, rng: random.Random) -> tuple[str, list[str]]:
    """One or two consecutive sentences of the post, maybe cut at a comma, at most ~70 characters."""
    how: list[str] = []
    text = re.sub(r"^【[^】]{0,30}】", "", clean_post(text)).strip() or clean_post(text)
    sentences = [s.strip() for s in _SENTENCES.split(text) if len(s.strip()) >= 6]
    # A retelling keeps what the post claims, not its calls to forward or its comment lines.
    informative = [i for i, s in enumerate(sentences) if len(s) >= 12 and not _GENERIC.search(s)]
    if not sentences:
        sentences = [text]
    start = informative[0] if informative else 0
    if len(informative) > 1 and rng.random() < 0.5:
        start = rng.choice(informative[:3])
    core = sentences[start]
    if start:
        how.append("later-sentence")
    if start + 1 < len(sentences) and len(core) < 30 and rng.random() < 0.5:
        core += sentences[start + 1]
    core = core.rstrip("。！？!?；;，, ")
    if len(core) > 20 and rng.random() < 0.35:
        # A short retelling: a window of 12–25 characters starting at a clause.
        starts = [0] + [m.end() for m in re.finditer("[，,：:]", core) if m.end() < len(core) - 12]
        begin = rng.choice(starts)
        core = core[begin : begin + rng.randint(12, 25)]
        how.append("short")
    elif len(core) > 70 or (len(core) > 30 and rng.random() < 0.3):
        cut = [m.start() for m in re.finditer("[，,：:]", core) if 15 <= m.start() <= 70]
        core = core[: rng.choice(cut)] if cut else core[: rng.randint(35, 70)]
        how.append("truncate")
    return core, how


def paraphrase(claim: ClaimRecord) -> tuple[str, str]:
    """``(text, how)``: the claim restated as a citizen would ask or forward it."""
    rng = _rng(claim.claim_id)
    core, how = core_of(claim.text, rng)
    swapped = 0
    for old, new in SUBSTITUTIONS:
        if old in core and rng.random() < 0.5:
            core = core.replace(old, new)
            swapped += 1
    if swapped:
        how.append(f"subs{swapped}")
    if rng.random() < 0.4:
        # Retelling from memory drops words: about one in six of jieba's words goes.
        kept = [w for w in cut(core) if rng.random() >= 1 / 6]
        if len("".join(kept)) >= 8:
            core = "".join(kept)
            how.append("dropwords")
    template = rng.choice(TEMPLATES)
    text = template.format(c=core)
    how.append(f"template{TEMPLATES.index(template)}")
    if rng.random() < 0.25:
        text = _s2t(text)
        how.append("traditional")
    if rng.random() < 0.2 and re.search(r"\d", text):
        text = text.translate(_DIGITS)
        how.append("fullwidth")
    return text, "+".join(how)


def positives(claims: list[ClaimRecord], n: int) -> list[Pair]:
    """``n`` claims chosen by a hash of their id (stable when the base grows), one paraphrase each."""
    chosen = sorted(claims, key=lambda c: hashlib.sha1(f"pick:{c.claim_id}".encode()).hexdigest())[:n]
    pairs = []
    for claim in chosen:
        text, how = paraphrase(claim)
        pid = f"p-{claim.claim_id}"
        pairs.append(Pair(id=pid, text=text, claim_id=claim.claim_id, split=split_of(pid), how=how))
    return pairs


def negatives(path: Path, n: int) -> list[Pair]:
    """``n`` citizen messages of 附件2 (title + start of the body), chosen by a hash of their 留言编号."""
    with path.open(encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if (r.get("留言详情") or "").strip()]
    rows.sort(key=lambda r: hashlib.sha1(f"neg:{r['留言编号']}{r['留言详情']}".encode()).hexdigest())
    pairs = []
    for row in rows[:n]:
        body = re.sub(r"\s+", "", row["留言详情"])[:150]
        title = (row.get("留言主题") or "").strip()
        # Rows rebuilt without metadata have no 留言编号: the body identifies them.
        pid = "n-" + (row["留言编号"].strip() or hashlib.sha1(body.encode()).hexdigest()[:10])
        pairs.append(Pair(id=pid, text=f"{title} {body}".strip(), claim_id=None, split=split_of(pid),
                          how="fj2_dev"))
    return pairs


def weibo_negatives(posts: list[CedPost], n: int) -> list[Pair]:
    """``n`` ordinary (non-rumor) CED Weibo posts: the same genre as the claims, so a harder test of
    "null" than 附件2 (reported separately)."""
    chosen = sorted((p for p in posts if p.label == "non-rumor" and len(clean_post(p.text)) >= 15),
                    key=lambda p: hashlib.sha1(f"neg:{p.file}".encode()).hexdigest())[:n]
    return [Pair(id=f"w-{p.mid}", text=clean_post(p.text)[:150], claim_id=None, split=split_of(f"w-{p.mid}"),
                 how="ced_nonrumor") for p in chosen]


def hand_written(path: Path) -> list[Pair]:
    """Pairs written by hand (``evaluation/claims/handwritten.jsonl``), split like the generated ones."""
    if not path.is_file():
        return []
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            pairs.append(Pair(id=obj["id"], text=obj["text"], claim_id=obj.get("claim_id"),
                              split=split_of(obj["id"]), how="hand"))
    return pairs


def write_pairs(pairs: list[Pair], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for pair in pairs:
            fh.write(json.dumps(asdict(pair), ensure_ascii=False) + "\n")


def read_pairs(path: Path) -> list[Pair]:
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        obj = json.loads(line)
        if "text" not in obj or "id" not in obj:
            from massline.core.errors import InputError

            raise InputError("needs id and text", origin=str(path), locator=f"line {number}")
        pid = str(obj["id"])
        pairs.append(Pair(id=pid, text=obj["text"], claim_id=obj.get("claim_id"),
                          split=obj.get("split") or split_of(pid), how=obj.get("how", "")))
    return pairs
