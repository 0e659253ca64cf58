"""Claim matching: BM25 retrieval over words + character bigrams, then a calibrated decision.

Why BM25 over both units: a citizen retelling a rumor keeps its rare words (names, places,
numbers) but changes the glue, cuts it short or switches script; words carry the meaning,
bigrams survive segmentation differences. Each claim is indexed once per wording (the claim
and each variant); a claim scores as its best wording.

Why a calibrated decision and not a raw score cut: BM25 scores grow with query length, so a
fixed cut would match long unrelated complaints and miss short questions. The decision uses
length-free features of the best candidate — how much of the query's weight it explains, how
far it is ahead of the runner-up, and the longest run of characters shared with the claim —
combined by a logistic regression fitted on the tuning half of the evaluation set
(``massline eval claims``). The probability is compared with a threshold chosen on the same
half; candidates between ``review_floor`` and the threshold go to the review queue.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from massline.claims.text import normalise, tokens

K1 = 1.2
B = 0.75
TOP_K = 5
FEATURES_VERSION = "1"
CALIBRATION_FILE = "claims_calibration.json"


@dataclass(frozen=True)
class IndexedClaim:
    """What the matcher needs of a claim (kept apart from the ORM so evaluation needs no database)."""

    claim_id: str
    text: str
    verdict: str
    variants: tuple[str, ...] = ()
    evidence: str = ""


@dataclass
class Calibration:
    """Logistic curve over the match features, and the two cut points on its probability."""

    coef: list[float]
    intercept: float
    threshold: float
    review_floor: float
    features_version: str = FEATURES_VERSION
    fitted_on: str = ""

    def probability(self, features: np.ndarray) -> np.ndarray:
        z = features @ np.asarray(self.coef) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> Calibration:
        """From ``path`` when it exists, else the shipped calibration (fitted by ``massline eval claims``)."""
        if path is not None and path.is_file():
            text = path.read_text(encoding="utf-8")
        else:
            text = (files("massline") / "data" / CALIBRATION_FILE).read_text(encoding="utf-8")
        data = json.loads(text)
        return cls(**data)


@dataclass
class Candidate:
    claim: IndexedClaim
    score: float  # calibrated probability that this is the claim the text repeats
    bm25: float
    words: list[str] = field(default_factory=list)  # the matching words, rarest first

    def to_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim.claim_id, "score": round(self.score, 4), "verdict": self.claim.verdict}


@dataclass
class MatchResult:
    """``matched`` is the automatic decision; ``review`` says whether the best candidate needs a person."""

    matched: Candidate | None
    candidates: list[Candidate]
    review: bool

    def to_dict(self, id_: Any) -> dict[str, Any]:
        return {"id": id_, "matched": self.matched.claim.claim_id if self.matched else None,
                "matches": [c.to_dict() for c in self.candidates]}


class ClaimIndex:
    """A BM25 index over every wording of every claim."""

    def __init__(self, claims: Sequence[IndexedClaim]) -> None:
        self.claims = list(claims)
        doc_claim: list[int] = []
        docs: list[Counter[str]] = []
        for ci, claim in enumerate(self.claims):
            for wording in (claim.text, *claim.variants):
                docs.append(Counter(tokens(wording)))
                doc_claim.append(ci)
        self.doc_claim = np.asarray(doc_claim, dtype=np.int64)
        self.doc_norm = [normalise(w) for c in self.claims for w in (c.text, *c.variants)]
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for di, counts in enumerate(docs):
            for term, tf in counts.items():
                rows.append(di)
                cols.append(vocab.setdefault(term, len(vocab)))
                vals.append(tf)
        self.vocab = vocab
        n_docs = max(len(docs), 1)
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=max(len(vocab), 1))
        self.idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        # terms × docs; none without claims — scipy is imported only when there is something to index
        # (the analysis pipeline builds a matcher on every run, usually over an empty evidence base)
        self.weights: Any = None
        if docs:
            import scipy.sparse as sp

            tf = sp.csr_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)),
                               shape=(len(docs), max(len(vocab), 1)))
            lengths = np.asarray(tf.sum(axis=1)).ravel()
            avg = lengths.mean() if len(lengths) else 1.0
            tf = tf.tocoo()
            denom = tf.data + K1 * (1 - B + B * lengths[tf.row] / max(avg, 1e-9))
            weights = self.idf[tf.col] * tf.data * (K1 + 1) / denom
            self.weights = sp.csr_matrix((weights, (tf.row, tf.col)), shape=tf.shape).T.tocsr()
        self.doc_terms = [set(c) for c in docs]

    def __len__(self) -> int:
        return len(self.claims)

    def query_vector(self, toks: list[str]) -> tuple[np.ndarray, float]:
        """Term ids of the query (each distinct term once) and its total idf (what a perfect match would score)."""
        ids = sorted({self.vocab[t] for t in toks if t in self.vocab})
        unknown = len({t for t in toks if t not in self.vocab})
        known_idf = float(self.idf[ids].sum()) if ids else 0.0
        # An unseen term counts like the rarest term: it is information the claim does not explain.
        rare = float(self.idf.max()) if len(self.idf) else 1.0
        return np.asarray(ids, dtype=np.int64), known_idf + unknown * rare

    def search(self, text: str, k: int = TOP_K) -> tuple[list[tuple[int, float, int]], np.ndarray]:
        """Top ``k`` claims as ``(claim index, bm25, best doc)`` and the features of the best one."""
        toks = tokens(text)
        ids, total_idf = self.query_vector(toks)
        if not len(self.claims) or not len(ids):
            return [], np.zeros(4)
        doc_scores = np.asarray(self.weights[ids].sum(axis=0)).ravel()
        best_doc = np.full(len(self.claims), -1, dtype=np.int64)
        claim_scores = np.full(len(self.claims), -np.inf)
        order = np.argsort(-doc_scores, kind="stable")
        for di in order[: max(50, k * 10)]:
            ci = int(self.doc_claim[di])
            if doc_scores[di] > claim_scores[ci]:
                claim_scores[ci], best_doc[ci] = doc_scores[di], di
        ranked = [int(ci) for ci in np.argsort(-claim_scores, kind="stable")[:k] if np.isfinite(claim_scores[ci])]
        hits = [(ci, float(claim_scores[ci]), int(best_doc[ci])) for ci in ranked if claim_scores[ci] > 0]
        if not hits:
            return [], np.zeros(4)
        return hits, self.features(normalise(text), hits, total_idf)

    def features(self, norm: str, hits: list[tuple[int, float, int]], total_idf: float) -> np.ndarray:
        """Length-free features of the best hit (see the module docstring)."""
        s1 = hits[0][1]
        s2 = hits[1][1] if len(hits) > 1 else 0.0
        explained = s1 / ((K1 + 1) * total_idf) if total_idf else 0.0
        ahead = (s1 - s2) / s1 if s1 else 0.0
        doc = self.doc_norm[hits[0][2]]
        match = SequenceMatcher(None, norm, doc, autojunk=False).find_longest_match(0, len(norm), 0, len(doc))
        longest = match.size
        return np.asarray([explained, ahead, math.log1p(longest), min(longest, 30) / max(min(len(norm), 30), 1)])

    def matching_words(self, text: str, doc: int, limit: int = 8) -> list[str]:
        """The shared words of the query and the claim's wording, rarest first (the match's reason)."""
        shared = [t for t in set(tokens(text)) & self.doc_terms[doc] if t.startswith("w:") and len(t) > 3]
        shared.sort(key=lambda t: -self.idf[self.vocab[t]])
        return [t[2:] for t in shared[:limit]]


class Matcher:
    """Index + calibration: ``match(text) -> MatchResult``."""

    def __init__(self, index: ClaimIndex, calibration: Calibration) -> None:
        self.index = index
        self.calibration = calibration

    @classmethod
    def build(cls, claims: Sequence[IndexedClaim], calibration: Calibration | None = None) -> Matcher:
        return cls(ClaimIndex(claims), calibration or Calibration.load())

    def match(self, text: str, k: int = TOP_K) -> MatchResult:
        hits, feats = self.index.search(text, k)
        if not hits:
            return MatchResult(None, [], False)
        p_best = float(self.calibration.probability(feats[None, :])[0])
        candidates = []
        for rank, (ci, bm25, doc) in enumerate(hits):
            # Only the best candidate gets the calibrated probability; the rest are scaled by their
            # BM25 share of it, so the list stays ordered and no runner-up looks surer than it is.
            score = p_best if rank == 0 else p_best * bm25 / hits[0][1]
            candidates.append(Candidate(self.index.claims[ci], score, bm25,
                                        self.index.matching_words(text, doc) if rank == 0 else []))
        matched = candidates[0] if p_best >= self.calibration.threshold else None
        review = matched is None and p_best >= self.calibration.review_floor
        return MatchResult(matched, candidates, review)
