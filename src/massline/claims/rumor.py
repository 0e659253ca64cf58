"""Rumor signals: a classifier trained on the shipped CED Weibo set, for messages no claim matches.

What it says and what it does not: a probability that a post *reads like* the posts Weibo's
不实信息举报平台 judged false (urgent calls to forward, shock words, unnamed witnesses, child
abduction, food scares …), with the words that pushed it. It is a hint for the desk to look —
never a verdict: it has not checked any fact, and its data is 2010–2013 Weibo, not hotline
messages.

Model: hashed jieba-word + character 1–3-gram counts of the normal form (``features``),
sublinear tf × idf, L2-normalised, logistic regression (C chosen by grouped cross-validation
from a small grid). Stored as plain numpy arrays (``allow_pickle=False``): the hash size, the
idf and the weights — a model file cannot run code. Cross-validation groups near-duplicate
posts (``ced.group_near_duplicates``) so the same rumor never sits in both the training and
the test fold.

Early detection: CED's reposts and comments are not shipped (only their final counts), so
"first N reposts" figures cannot be computed here. What we report instead is what is known at
posting time (text; text + author features) against the same with the final repost/comment/like
counts, which a detector would only have later.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from massline.claims.ced import CedPost, clean_post, group_near_duplicates
from massline.claims.text import normalise, words

if TYPE_CHECKING:
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import HashingVectorizer

# scikit-learn and scipy are imported where they are used: the analysis pipeline imports this
# module (``analyze.claims``) but needs them only when a rumor model is trained or loaded, and
# importing them cost a new ``massline analyze`` process about a second.

N_FEATURES = 2**20
C_GRID = (4.0, 16.0, 64.0)
FOLDS = 5
SEED = 12345
MODEL_VERSION = "1"
SIGNAL_AT = 0.8  # probability from which the desk queue lists a message as a rumor signal


def features(text: str) -> list[str]:
    """jieba words (``w:``) and character 1–3-grams (``c:``) of the normal form, punctuation kept:
    ``！！！``, ``【`` and ``转发`` are part of how a rumor reads."""
    norm = normalise(text)
    grams = [f"c:{norm[i : i + n]}" for n in (1, 2, 3) for i in range(len(norm) - n + 1)
             if not norm[i : i + n].isspace()]
    return [f"w:{w}" for w in words(norm)] + grams


def _hasher() -> HashingVectorizer:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer=features, n_features=N_FEATURES, alternate_sign=False, norm=None)


def _weight(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    x = counts.astype(np.float64).tocsr(copy=True)
    x.data = np.log1p(x.data)
    return normalize(x @ sp.diags(idf), copy=False)


def _idf(counts: sp.csr_matrix) -> np.ndarray:
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    # A feature never seen in training gets weight 0: it carries no learned evidence, and a high idf
    # would only shrink the known features when the row is L2-normalised.
    return np.asarray(np.where(df > 0, np.log((1 + counts.shape[0]) / (1 + df)) + 1.0, 0.0))


@dataclass
class RumorModel:
    idf: np.ndarray
    coef: np.ndarray
    intercept: float
    meta: dict[str, Any]

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        x = _weight(_hasher().transform(list(texts)), self.idf)
        return np.asarray(1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept))))

    def explain(self, text: str, k: int = 5) -> list[tuple[str, float]]:
        """The tokens that pushed the score up most (contribution = weight × tf-idf value)."""
        from sklearn.utils import murmurhash3_32

        toks = features(text)
        counts: dict[str, int] = {}
        for t in toks:
            counts[t] = counts.get(t, 0) + 1
        contrib = []
        for t, n in counts.items():
            h = abs(murmurhash3_32(t, seed=0)) % N_FEATURES
            contrib.append((t, math.log1p(n) * float(self.idf[h]) * float(self.coef[h])))
        norm = math.sqrt(sum((math.log1p(n) * float(self.idf[abs(murmurhash3_32(t, seed=0)) % N_FEATURES])) ** 2
                             for t, n in counts.items())) or 1.0
        ranked = sorted(((t[2:], c / norm) for t, c in contrib if c > 0), key=lambda x: -x[1])
        out: list[tuple[str, float]] = []
        for word, value in ranked:
            if word not in (w for w, _ in out):
                out.append((word, round(value, 3)))
            if len(out) == k:
                break
        return out

    def signal(self, text: str) -> tuple[float, str]:
        """``(probability, reason)`` for the desk; the reason says it is a signal, not a verdict."""
        p = float(self.proba([text])[0])
        words = ", ".join(f"{w}(+{v:.2f})" for w, v in self.explain(text))
        return p, f"像 CED 不实信息的程度 {p:.2f}（信号，非结论）: {words}" if words else f"{p:.2f}（信号，非结论）"

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        nz = np.flatnonzero(self.coef)
        np.savez_compressed(folder / "model.npz", idf_index=nz, idf=self.idf[nz], coef=self.coef[nz],
                            intercept=np.asarray([self.intercept]))
        (folder / "meta.json").write_text(json.dumps(self.meta, ensure_ascii=False, indent=1), encoding="utf-8")
        return folder


def load_rumor_model(folder: Path) -> RumorModel | None:
    """The saved model, or None when none was trained (``massline eval rumor`` trains and saves one)."""
    path = folder / "model.npz"
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        idf = np.zeros(N_FEATURES)
        coef = np.zeros(N_FEATURES)
        idf[data["idf_index"]] = data["idf"]
        coef[data["idf_index"]] = data["coef"]
        intercept = float(data["intercept"][0])
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8")) if (folder / "meta.json").is_file() else {}
    return RumorModel(idf, coef, intercept, meta)


def _author_features(posts: Sequence[CedPost], with_counts: bool) -> sp.csr_matrix:
    import scipy.sparse as sp

    rows = []
    for p in posts:
        row = [float(p.has_url), float(p.pics > 0), float(p.verified), math.log1p(p.followers) / 15]
        if with_counts:
            row += [math.log1p(p.reposts) / 10, math.log1p(p.comments) / 10, math.log1p(p.likes) / 10]
        rows.append(row)
    return sp.csr_matrix(np.asarray(rows))


def dataset(posts: Sequence[CedPost]) -> tuple[list[CedPost], np.ndarray, np.ndarray]:
    """Posts with distinct normal forms, labels (1 = rumor) and near-duplicate groups for the folds."""
    seen: set[str] = set()
    kept = []
    for p in posts:
        key = normalise(clean_post(p.text))
        if key and key not in seen:
            seen.add(key)
            kept.append(p)
    y = np.asarray([p.label == "rumor" for p in kept], dtype=np.int64)
    groups = np.asarray(group_near_duplicates([normalise(clean_post(p.text)) for p in kept]))
    return kept, y, groups


def cross_validate(posts: Sequence[CedPost], progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Grouped 5-fold CV of our model (C by inner grouped 3-fold CV), its posting-time and with-counts
    variants, and the TF-IDF + LinearSVC baseline, all on the same folds."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.svm import LinearSVC

    kept, y, groups = dataset(posts)
    texts = [clean_post(p.text) for p in kept]
    counts = _hasher().transform(texts).tocsr()
    folds = list(StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=SEED).split(texts, y, groups))
    systems = ("text", "text_author", "text_author_counts", "baseline_tfidf_linearsvc")
    preds = {s: np.zeros(len(y), dtype=np.int64) for s in systems}
    chosen_c = []
    for fi, (train, test) in enumerate(folds):
        if progress:
            progress(f"fold {fi + 1}/{FOLDS}")
        idf = _idf(counts[train])
        x = _weight(counts, idf)
        c = choose_c(x[train], y[train], groups[train])
        chosen_c.append(c)
        for name, extra in (("text", None), ("text_author", False), ("text_author_counts", True)):
            xs = x if extra is None else sp.hstack([x, _author_features(kept, extra)]).tocsr()
            model = LogisticRegression(C=c, solver="liblinear").fit(xs[train], y[train])
            preds[name][test] = model.predict(xs[test])
        # Baseline: the classic TF-IDF (char 1–3-grams + words of the same normal form) + LinearSVC, C = 1.
        from sklearn.feature_extraction.text import TfidfVectorizer

        vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1,
                              preprocessor=normalise)
        xb = vec.fit_transform([texts[i] for i in train])
        svm = LinearSVC(C=1.0, random_state=SEED).fit(xb, y[train])
        preds["baseline_tfidf_linearsvc"][test] = svm.predict(vec.transform([texts[i] for i in test]))
    out: dict[str, Any] = {"n": len(y), "rumor": int(y.sum()), "non_rumor": int(len(y) - y.sum()), "folds": FOLDS,
                           "grouped": "near-duplicate posts kept in one fold", "C": chosen_c}
    for name in systems:
        out[name] = {"accuracy": round(float(accuracy_score(y, preds[name])), 4),
                     "f1_rumor": round(float(f1_score(y, preds[name])), 4),
                     "macro_f1": round(float(f1_score(y, preds[name], average="macro")), 4)}
    return out


def choose_c(x: sp.csr_matrix, y: np.ndarray, groups: np.ndarray) -> float:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedGroupKFold

    best = (-1.0, C_GRID[0])
    inner = StratifiedGroupKFold(n_splits=3, shuffle=True, random_state=SEED)
    for c in C_GRID:
        scores = []
        for tr, te in inner.split(x, y, groups):
            m = LogisticRegression(C=c, solver="liblinear").fit(x[tr], y[tr])
            scores.append(f1_score(y[te], m.predict(x[te]), average="macro"))
        if float(np.mean(scores)) > best[0]:
            best = (float(np.mean(scores)), c)
    return best[1]


def train(posts: Sequence[CedPost], cv: dict[str, Any] | None = None, c: float | None = None) -> RumorModel:
    """The text-only model on every distinct post (C: given, else the most frequent choice of the CV folds)."""
    from sklearn.linear_model import LogisticRegression

    kept, y, groups = dataset(posts)
    counts = _hasher().transform([clean_post(p.text) for p in kept]).tocsr()
    idf = _idf(counts)
    x = _weight(counts, idf)
    if c is None:
        c = max(set(cv["C"]), key=cv["C"].count) if cv else choose_c(x, y, groups)
    model = LogisticRegression(C=c, solver="liblinear").fit(x, y)
    meta = {"version": MODEL_VERSION, "data": "CED ced_original_microblogs.csv", "n": len(y), "C": c,
            "signal_at": SIGNAL_AT, "cross_validation": cv or {}}
    return RumorModel(idf * (np.asarray(model.coef_[0]) != 0), np.asarray(model.coef_[0]),
                      float(model.intercept_[0]), meta)
