"""``CategoryModel``: the trained category classifier, its training, and its artifact on disk.

The artifact is ``<models_dir>/classify/model.npz`` — plain numpy arrays (vocabularies, idf,
weights, temperature) loaded with ``allow_pickle=False``, so a model file can never run code —
with ``meta.json`` beside it: training-data sha256, row
count, classes, hyper-parameters, library versions, metrics and creation time.
"""

from __future__ import annotations

import json
import os
import platform
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from massline.analyze.classify.data import CATEGORIES, Example, examples_sha256, read_labelled
from massline.analyze.classify.features import Featurizer, TfidfBlock, fit_featurizer
from massline.analyze.classify.nbsvm import (
    Calibration,
    LinearWeights,
    class_order,
    fit_calibration,
    fit_nbsvm,
    out_of_fold_margins,
)
from massline.analyze.classify.rows import Rows, feature_rows, row_margins
from massline.analyze.classify.text import classifier_text
from massline.analyze.classify.threshold import ARTIFACT, META_FILE, MODEL_SUBDIR, ThresholdChoice, choose_threshold
from massline.core.errors import InputError, ModelNotTrainedError

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["CategoryModel", "TrainParams", "classifier_text", "load_model", "save_model", "train_model"]

META = META_FILE
SUBDIR = MODEL_SUBDIR
FORMAT = 3
#: bumped whenever the features change, and part of the model version, so results stay traceable to
#: the feature set as well as to the training data (2: + title block; 3: jieba's words counted as
#: substrings instead of segmenting each message — same cross-validated macro-F1, no jieba to predict)
FEATURES_VERSION = 3
MIN_PER_LABEL = 3
TRAIN_HINT = "run `massline train classify` to train it"


@dataclass(frozen=True)
class TrainParams:
    """Hyper-parameters, chosen by 5-fold cross-validation on the train split (dev only checked)."""

    char_ngrams: tuple[int, int] = (1, 4)
    min_df: int = 2
    svm_c: float = 1.0
    nb_alpha: float = 1.0
    balanced: bool = True
    title_ngrams: tuple[int, int] = (1, 3)
    title_weight: float = 0.5
    calibration_folds: int = 5
    seed: int = 0


@dataclass
class CategoryModel:
    """Calibrated category classifier over character n-grams, dictionary words and title character n-grams."""

    classes: list[str]
    version: str
    featurizer: Featurizer
    linear: LinearWeights
    calibration: Calibration
    meta: dict[str, Any] = field(default_factory=dict)
    _names: np.ndarray | None = field(default=None, repr=False)
    _long: np.ndarray | None = field(default=None, repr=False)

    def features(self, texts: Sequence[str]) -> sp.csr_matrix:
        """TF-IDF of the texts (already in :func:`classifier_text` form): characters ‖ words ‖ title."""
        return self.featurizer.transform(texts)

    def rows_and_margins(self, texts: Sequence[str]) -> tuple[Rows, np.ndarray]:
        """The features of the texts as CSR arrays and their margins, without scipy or scikit-learn
        (``classify.rows``: bitwise the same as ``linear.margins(features(texts))``); through the
        sparse matrices only for a model whose blocks the fast path cannot hold."""
        rows = feature_rows(self.featurizer, texts)
        if rows is not None:
            return rows, row_margins(self.linear, rows)
        matrix = self.features(texts)
        return Rows(matrix.data, matrix.indices, matrix.indptr, matrix.shape[1]), self.linear.margins(matrix)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, one row per text, columns in ``classes`` order (rows sum to 1)."""
        if len(texts) == 0:
            return np.zeros((0, len(self.classes)))
        return self.calibration.proba(self.rows_and_margins(texts)[1])

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(label, calibrated probability of that label) for each text."""
        proba = self.predict_proba(texts)
        best = proba.argmax(axis=1) if len(texts) else np.zeros(0, dtype=int)
        return [(self.classes[int(k)], float(proba[i, k])) for i, k in enumerate(best)]

    def predict_explained(self, texts: Sequence[str], k: int = 5) -> list[tuple[str, float, str]]:
        """``(label, probability, explanation)`` per text from ONE feature pass over the batch.

        Why: explaining message by message featurised every text a second time, which cost more
        than the prediction itself (~110 messages/s); the batch matrix already holds each row.
        """
        if len(texts) == 0:
            return []
        features, margins = self.rows_and_margins(texts)
        proba = self.calibration.proba(margins)
        best = proba.argmax(axis=1)
        # every row's positive contributions to its own label, sorted best first, in a few array operations
        row_of = np.repeat(np.arange(len(texts)), np.diff(features.indptr))
        terms = features.data * self.linear.weights[best[row_of], features.indices]
        useful = np.flatnonzero((terms > 0) & self._explainable()[features.indices])
        order = useful[np.lexsort((-terms[useful], row_of[useful]))]
        bounds = np.searchsorted(row_of[order], np.arange(len(texts) + 1))
        names = self._feature_names()
        out = []
        for i, cls in enumerate(best):
            chosen: list[tuple[str, float]] = []
            for j in order[bounds[i] : bounds[i + 1]]:
                name = str(names[features.indices[j]])
                if all(name != seen for seen, _ in chosen):  # the same word from two blocks counts once
                    chosen.append((name, float(terms[j])))
                    if len(chosen) >= k:
                        break
            out.append((self.classes[int(cls)], float(proba[i, cls]), _format_terms(chosen)))
        return out

    def contributions(self, text: str, label: str, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` words / character n-grams that pushed ``text`` most towards ``label``."""
        if label not in self.classes:
            raise InputError(f"unknown label {label!r}; the model knows {', '.join(self.classes)}", field="label")
        row = self.features([text])
        return self._row_contributions(row.indices, row.data, self.classes.index(label), k)

    def _row_contributions(self, indices: np.ndarray, data: np.ndarray, cls: int, k: int) -> list[tuple[str, float]]:
        terms = data * self.linear.weights[cls, indices]
        names = self._feature_names()[indices]
        best: list[tuple[str, float]] = []
        seen: set[str] = set()
        for i in np.argsort(-terms):
            if terms[i] <= 0 or len(best) >= k:
                break
            name = str(names[i])
            if len(name) < 2 or name in seen:  # single characters explain nothing to a person
                continue
            seen.add(name)
            best.append((name, float(terms[i])))
        return best

    def explain(self, text: str, label: str, k: int = 5) -> str:
        """Human-readable reason: top contributing words/n-grams, e.g. ``物业(+0.21), 小区(+0.12)``."""
        return _format_terms(self.contributions(text, label, k))

    def _feature_names(self) -> np.ndarray:
        if self._names is None:
            self._names = self.featurizer.names()
        return self._names

    def _explainable(self) -> np.ndarray:
        """Features a person can read as a reason: at least two characters (single ones explain nothing)."""
        if self._long is None:
            self._long = np.char.str_len(self._feature_names()) >= 2
        return self._long


def _format_terms(terms: Sequence[tuple[str, float]]) -> str:
    return ", ".join(f"{name}(+{weight:.2f})" for name, weight in terms)


def _as_examples(records: Iterable[Example | tuple[str, str]]) -> list[Example]:
    return [r if isinstance(r, Example) else Example(str(r[0]), str(r[1])) for r in records]


def train_model(
    sources: Sequence[Path | str] | Sequence[Example | tuple[str, str]],
    extra_examples: Iterable[Example | tuple[str, str]] = (),
    *,
    params: TrainParams | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> CategoryModel:
    """Train from 附件2-style files (paths) or ready examples, plus ``extra_examples`` (e.g.
    dispatchers' confirmed labels, as ``(classifier_text, label)``). ``workers`` threads fit the
    final model and the calibration folds side by side (default: the cores, at most 4); the
    result does not depend on it."""
    params = params or TrainParams()
    files: list[dict[str, Any]] = []
    examples: list[Example] = []
    for source in sources:
        if isinstance(source, str | Path):
            read = read_labelled(source)
            examples += read.examples
            files.append({"path": str(read.path), "sha256": read.sha256, "n": len(read.examples),
                          "skipped": len(read.skipped)})
        else:
            examples += _as_examples([source])
    extra = _as_examples(extra_examples)
    examples += extra
    say = progress or (lambda _msg: None)
    counts = Counter(e.label for e in examples)
    rare = sorted(label for label, n in counts.items() if n < MIN_PER_LABEL)
    if rare:  # a label a dispatcher used once cannot be learned (nor cross-validated) yet: say so, keep going
        say(f"ignoring labels with fewer than {MIN_PER_LABEL} examples: {', '.join(rare)}")
        examples = [e for e in examples if e.label not in rare]
    classes = class_order([e.label for e in examples], CATEGORIES)
    if len(classes) < 2:
        raise InputError(f"need at least two labels to train, found {classes}", field="一级标签")
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[e.label] for e in examples])
    texts = [e.text for e in examples]
    say(f"featurising {len(texts)} messages")
    featurizer, features = fit_featurizer(texts, params.char_ngrams, params.min_df, params.title_ngrams,
                                          params.title_weight)
    folds = max(2, min(params.calibration_folds, int(np.bincount(y).min())))
    say(f"fitting the model and {folds} calibration folds")
    with ThreadPoolExecutor(max_workers=workers or min(4, os.cpu_count() or 1)) as pool:
        final = pool.submit(fit_nbsvm, features, y, len(classes), c=params.svm_c, alpha=params.nb_alpha,
                            balanced=params.balanced, seed=params.seed)
        margins = out_of_fold_margins(features, y, len(classes), c=params.svm_c, alpha=params.nb_alpha,
                                      balanced=params.balanced, folds=folds, seed=params.seed, pool=pool,
                                      progress=say)
        linear = final.result()
    calibration = fit_calibration(margins, y)
    data_hash = examples_sha256(examples)
    meta: dict[str, Any] = {
        "version": model_version(data_hash),
        "features_version": FEATURES_VERSION,
        "training_data_sha256": data_hash,
        "n": len(examples),
        "n_extra_examples": len(extra),
        "ignored_labels": {label: counts[label] for label in rare},
        "files": files,
        "classes": classes,
        "class_counts": {c: int(n) for c, n in zip(classes, np.bincount(y, minlength=len(classes)), strict=True)},
        "hyperparameters": {**asdict(params), "calibration_folds": folds},
        "n_features": int(features.shape[1]),
        "model": "NB-SVM over char n-gram + dictionary word + title char n-gram TF-IDF, calibrated on "
                 "out-of-fold margins",
        "calibration": asdict(calibration),
        "cross_validation": out_of_fold_summary(margins, y, calibration),
        "routing": routing_choice(margins, y, calibration).as_dict(),
        "libraries": _library_versions(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return CategoryModel(classes, meta["version"], featurizer, linear, calibration, meta)


def model_version(data_hash: str) -> str:
    """``clf<FEATURES_VERSION>-<first 8 hex of the training-data sha256>``."""
    return f"clf{FEATURES_VERSION}-{data_hash[:8]}"


def out_of_fold_summary(margins: np.ndarray, y: np.ndarray, calibration: Calibration) -> dict[str, float]:
    """Accuracy and calibration figures of the out-of-fold predictions (an honest train-split estimate;
    slightly optimistic for calibration, which was fitted on the same margins)."""
    from sklearn.metrics import f1_score

    proba = calibration.proba(margins)
    correct = proba.argmax(axis=1) == y
    top = proba.max(axis=1)
    summary = {"macro_f1": round(float(f1_score(y, proba.argmax(axis=1), average="macro")), 4),
               "accuracy": round(float(correct.mean()), 4)}
    for threshold in (0.7, 0.8, 0.85, 0.9):
        routed = top >= threshold
        summary[f"coverage@{threshold}"] = round(float(routed.mean()), 4)
        summary[f"accuracy@{threshold}"] = round(float(correct[routed].mean()) if routed.any() else 1.0, 4)
    return summary


def routing_choice(margins: np.ndarray, y: np.ndarray, calibration: Calibration) -> ThresholdChoice:
    """The auto-routing threshold from the out-of-fold predictions (see ``threshold.choose_threshold``)."""
    proba = calibration.proba(margins)
    return choose_threshold(proba.max(axis=1), proba.argmax(axis=1) == y)


def _library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in ("massline", "scikit-learn", "numpy", "scipy", "jieba", "skops"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "unknown"
    return versions


def model_dir(models_dir: Path) -> Path:
    return Path(models_dir) / SUBDIR


def save_model(model: CategoryModel, models_dir: Path, metrics: dict[str, Any] | None = None) -> Path:
    """Write the artifact and ``meta.json`` (each atomically: a reader never sees half a model)."""
    target = model_dir(models_dir)
    target.mkdir(parents=True, exist_ok=True)
    if metrics is not None:
        model.meta["metrics"] = metrics
    f = model.featurizer
    arrays: dict[str, np.ndarray] = {
        "format": np.array(FORMAT),
        "classes": np.array(model.classes, dtype=str),
        "version": np.array(model.version, dtype=str),
        "char_vocabulary": f.chars.vocabulary.astype(str), "char_idf": f.chars.idf,
        "char_ngrams": np.array(f.chars.ngram_range),
        "word_vocabulary": f.words.vocabulary.astype(str), "word_idf": f.words.idf,
        "word_ngrams": np.array(f.words.ngram_range), "word_kind": np.array(f.words.kind, dtype=str),
        "title_vocabulary": f.titles.vocabulary.astype(str), "title_idf": f.titles.idf,
        "title_ngrams": np.array(f.titles.ngram_range), "title_weight": np.array(f.title_weight),
        "weights": model.linear.weights, "intercept": model.linear.intercept,
        "calibration": np.array([model.calibration.temperature, model.calibration.slope,
                                 model.calibration.offset]),
    }
    tmp = target / f".{os.getpid()}.tmp.npz"
    np.savez(tmp, **arrays)  # type: ignore[arg-type]
    tmp.replace(target / ARTIFACT)
    meta_tmp = target / f".{META}.{os.getpid()}.tmp"
    meta_tmp.write_text(json.dumps(model.meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    meta_tmp.replace(target / META)
    return target / ARTIFACT


def load_model(models_dir: Path) -> CategoryModel:
    """The trained model of this installation; :class:`ModelNotTrainedError` if there is none."""
    path = model_dir(models_dir) / ARTIFACT
    if not path.is_file():
        raise ModelNotTrainedError(f"no category model at {path}; {TRAIN_HINT}")
    try:
        with np.load(path, allow_pickle=False) as z:
            if int(z["format"]) != FORMAT:
                raise ModelNotTrainedError(f"{path} has format {int(z['format'])}, expected {FORMAT}; {TRAIN_HINT}")
            chars = TfidfBlock("char", _pair(z["char_ngrams"]), z["char_vocabulary"], z["char_idf"])
            word_kind = str(z["word_kind"]) if "word_kind" in z.files else "word"  # features version 2: jieba
            words = TfidfBlock(word_kind, _pair(z["word_ngrams"]), z["word_vocabulary"], z["word_idf"])
            titles = TfidfBlock("char", _pair(z["title_ngrams"]), z["title_vocabulary"], z["title_idf"])
            title_weight = float(z["title_weight"])
            linear = LinearWeights(z["weights"], z["intercept"])
            classes = [str(c) for c in z["classes"]]
            version_ = str(z["version"])
            calibration = Calibration(*(float(v) for v in z["calibration"]))
    except (OSError, KeyError, ValueError) as exc:
        raise ModelNotTrainedError(f"{path} is not a readable category model ({exc}); {TRAIN_HINT}") from exc
    meta_path = path.with_name(META)
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    return CategoryModel(classes, version_, Featurizer(chars, words, titles, title_weight), linear, calibration, meta)


def _pair(values: np.ndarray) -> tuple[int, int]:
    return int(values[0]), int(values[1])
