"""The category component: wraps the trained classifier (``massline.analyze.classify``).

The classifier itself (training, calibration, evaluation) lives in ``analyze/classify``; this
component only turns its calibrated probabilities into a ``category`` result whose version
names the model, so a retrained model writes new rows and the old ones stay traceable.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from massline.analyze.classify.threshold import ARTIFACT, META_FILE, MODEL_SUBDIR
from massline.core.errors import ModelNotTrainedError
from massline.core.types import Doc, Result
from massline.pipeline.registry import registry

NAME = "analyze.category"
VERSION = "1"
TRAIN_HINT = "no category model is trained yet: run `massline train classify` first"


class CategoryModelLike(Protocol):
    """What this component needs of ``massline.analyze.classify.model.CategoryModel``."""

    classes: Sequence[str]
    version: str

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]: ...

    def explain(self, text: str, label: str, k: int = 5) -> Any: ...


def _classify_module() -> Any:
    return importlib.import_module("massline.analyze.classify.model")


def classifier_text(title: str | None, body: str) -> str:
    """The text the classifier sees for a message; the classifier package defines it, this forwards."""
    try:
        fn: Callable[[str | None, str], str] = _classify_module().classifier_text
    except (ModuleNotFoundError, AttributeError):  # classifier package not installed yet
        return f"{title or ''}\n{body}".strip()
    return fn(title, body)


#: The model last loaded per models directory, with the identity of its files when loaded.
_loaded: dict[Path, tuple[tuple[tuple[int, int, int], ...], CategoryModelLike]] = {}
_loaded_lock = threading.Lock()


def _files_identity(folder: Path) -> tuple[tuple[int, int, int], ...] | None:
    """(inode, size, modification time) of the model's files; None when the artifact is missing."""
    out = []
    for name in (ARTIFACT, META_FILE):
        try:
            st = (folder / MODEL_SUBDIR / name).stat()
        except OSError:
            if name == ARTIFACT:
                return None
            continue
        out.append((st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(out)


def load_category_model(models_dir: Path | str) -> CategoryModelLike:
    """The trained model from ``models_dir``; a clear :class:`ModelNotTrainedError` when there is none.

    The model is loaded once per process while its files stay the same (a retrained model is
    saved as new files, atomically: it is loaded anew). Why: every ``massline analyze`` run, engine
    chunk and web request builds the pipeline, and loading the model with its n-gram tables cost
    more than classifying a batch.
    """
    folder = Path(models_dir)
    identity = _files_identity(folder)
    if identity is not None:
        with _loaded_lock:
            known = _loaded.get(folder)
        if known is not None and known[0] == identity:
            return known[1]
    try:
        module = _classify_module()
    except ModuleNotFoundError as exc:
        raise ModelNotTrainedError(f"{TRAIN_HINT} (classifier package unavailable: {exc})") from exc
    try:
        model: CategoryModelLike = module.load_model(folder)
    except ModelNotTrainedError as exc:
        if "massline train classify" in str(exc):
            raise
        raise ModelNotTrainedError(f"{TRAIN_HINT} ({exc})") from exc
    if identity is not None and identity == _files_identity(folder):  # not replaced while being read
        with _loaded_lock:
            _loaded[folder] = (identity, model)
    return model


def format_explanation(explanation: Any) -> str:
    """The classifier's explanation as one line: a string as is, ``[(word, weight), …]`` as ``word(+0.12)``."""
    if explanation is None:
        return ""
    if isinstance(explanation, str):
        return explanation
    parts = []
    for item in explanation:
        if isinstance(item, tuple | list) and len(item) == 2:
            word, weight = item
            parts.append(f"{word}({float(weight):+.2f})" if isinstance(weight, int | float) else f"{word}")
        else:
            parts.append(str(item))
    return ", ".join(parts)


@registry.register(NAME, version=VERSION, stage="analyze", assigns=("results.category",))
class Category:
    """Category (the 7 一级标签) from the trained classifier; confidence = calibrated top probability."""

    name = NAME
    version = VERSION

    def __init__(self, models_dir: str | Path | None = None, model: CategoryModelLike | None = None,
                 explain_k: int = 5) -> None:
        if model is None:
            if models_dir is None:
                from massline.core.config import get_settings

                models_dir = get_settings().models_dir()
            model = load_category_model(models_dir)
        self.model = model
        self.explain_k = explain_k

    @property
    def result_version(self) -> str:
        """Component version + model version, e.g. ``1/m20261125-3f2a``."""
        return f"{VERSION}/{self.model.version}"

    def __call__(self, doc: Doc) -> Doc:
        return self.pipe([doc])[0]

    def pipe(self, docs: Iterable[Doc]) -> list[Doc]:
        batch = list(docs)
        if not batch:
            return batch
        texts = [classifier_text(d.title, d.text) for d in batch]
        for doc, (label, prob, reason) in zip(batch, self._predict_explained(texts), strict=True):
            doc.add_result(Result(NAME, self.result_version, "category", label, round(float(prob), 4),
                                  f"model {self.model.version}: {reason}" if reason else f"model {self.model.version}"))
        return batch

    def _predict_explained(self, texts: list[str]) -> list[tuple[str, float, str]]:
        """One batch pass when the model offers it (``CategoryModel.predict_explained``), else
        predict + explain message by message (simple test models)."""
        batch_fn = getattr(self.model, "predict_explained", None)
        if batch_fn is not None:
            return list(batch_fn(texts, self.explain_k))
        return [(label, prob, format_explanation(self.model.explain(text, label, self.explain_k)))
                for text, (label, prob) in zip(texts, self.model.predict(texts), strict=True)]
