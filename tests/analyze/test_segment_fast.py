"""The compiled segmenter gives jieba's tokens, token for token, on the shipped hotline messages.

Why on real data: the C++ route is only trusted because it agrees with jieba on what massline
segments — titles, bodies and replies with masked places, numbers (``93.71``, ``90%``), dates
and mixed scripts, where a different block split or total changes the words.
"""

from __future__ import annotations

import csv
from pathlib import Path

import jieba
import pytest

from massline.analyze.segment import FastTokenizer, dictionary_paths, get_tokenizer, word_freq

TAIDI = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "taidi2020"


def _texts() -> list[str]:
    texts: list[str] = []
    for name, limit in (("fj2_dev.csv", None), ("fj4_messages_with_replies_full.csv", 600)):
        with (TAIDI / name).open(encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.DictReader(f)):
                if limit is not None and i >= limit:
                    break
                texts.append(f"{row.get('留言主题') or ''}\n{row.get('留言详情') or ''}")
                texts.append(row.get("答复意见") or "")
    return texts


def test_when_the_compiled_package_is_installed_then_its_tokens_are_jiebas_on_shipped_messages() -> None:
    pytest.importorskip("jieba_fast_dat", reason="jieba_fast_dat not installed: jieba itself segments")
    if not TAIDI.is_dir():
        pytest.skip(f"shared data not found at {TAIDI}")
    fast = get_tokenizer()
    assert isinstance(fast, FastTokenizer)
    stock = jieba.Tokenizer()
    stock.initialize()
    for path in dictionary_paths():
        stock.load_userdict(str(path))
    texts = [*_texts(), "增长93.71%，约90%的人", "2019-05-10 A市A2区泉塘街道\r\n电话13800000000", "", "  \n"]

    differ = [t[:40] for t in texts if fast.lcut(t) != stock.lcut(t)]
    assert differ == []
    assert all(list(fast.tokenize(t)) == list(stock.tokenize(t)) for t in texts[:200])
    words = {w for t in texts[:200] for w in stock.lcut(t)}
    assert all(word_freq(w) == stock.FREQ.get(w, 0) for w in words)
