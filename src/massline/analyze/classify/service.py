"""What the ``massline train classify`` / ``eval classify`` commands do, as plain functions.

Training data = the given 附件2 files (default: the shipped train split) + every label a
dispatcher confirmed in the triage queue of this installation's database, so the model
learns from the decisions people make on the messages it was unsure about.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from massline.analyze.classify.data import DEV_FILE, TRAIN_FILE, read_labelled, shared_data_file
from massline.analyze.classify.evaluate import evaluate
from massline.analyze.classify.model import CategoryModel, load_model, save_model, train_model
from massline.core.config import Settings
from massline.core.errors import InputError, ModelNotTrainedError

Progress = Callable[[str], None]


@dataclass
class TrainOutcome:
    model: CategoryModel
    path: Path
    files: list[Path]
    n_confirmed: int
    confirmed_note: str
    dev_metrics: dict[str, Any] = field(default_factory=dict)


def confirmed_examples(database_url: str) -> tuple[list[tuple[str, str]], str]:
    """Dispatchers' confirmed ``(text, label)`` pairs, and a note saying where they came from or why none.

    Never fails training: no routing module, no database file, or an unmigrated schema just
    means there are no confirmed labels yet.
    """
    try:
        feedback = importlib.import_module("massline.analyze.routing.feedback")
    except ImportError:
        return [], "routing feedback not available"
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" \
            and not Path(url.database).is_file():
        return [], "no database yet"
    from massline.db.session import session_scope

    try:
        with session_scope(database_url) as session:
            pairs = [(str(text), str(label)) for text, label in feedback.confirmed_examples(session) if text and label]
    except SQLAlchemyError as exc:
        return [], f"database not ready ({type(exc).__name__}); run `massline db upgrade`"
    return pairs, f"from the triage decisions in {url.render_as_string(hide_password=True)}"


class WorseModelError(InputError):
    """The new model scores below the deployed one on the same held-out data (use ``force`` to replace)."""


#: A new model may be this much worse in macro-F1 on dev (noise between equivalent fits) and still replace.
REPLACE_TOLERANCE = 0.002


def _threshold_for(settings: Settings, model: CategoryModel) -> float:
    """The routing threshold a model would run with: the explicit setting, else its own bound-based choice."""
    if "route_threshold" in settings.model_fields_set:
        return settings.route_threshold
    routing = model.meta.get("routing") or {}
    return float(routing.get("threshold", settings.route_threshold))


def train_classifier(settings: Settings, data: Sequence[Path] = (), *, use_confirmed: bool = True,
                     dev: Path | None = None, progress: Progress | None = None,
                     force: bool = False) -> TrainOutcome:
    """Train on ``data`` (default: the shipped train split) + confirmed labels, evaluate on ``dev``
    (default: the shipped dev split, when found) and save into ``settings.models_dir()``.

    A deployed model is replaced only when the new one is not worse on ``dev`` (macro-F1, within
    :data:`REPLACE_TOLERANCE`, both scored in this run); ``force`` replaces it anyway.
    """
    files = list(data) or [shared_data_file(TRAIN_FILE)]
    for path in files:
        if not Path(path).is_file():
            raise InputError("training file not found", origin=str(path), field="--data")
    confirmed, note = confirmed_examples(settings.resolved_database_url()) if use_confirmed else ([], "not used")
    model = train_model(files, confirmed, progress=progress)
    metrics: dict[str, Any] | None = None
    dev_path = dev
    if dev_path is None:
        try:
            dev_path = shared_data_file(DEV_FILE)
        except InputError:
            dev_path = None
    if dev_path is not None:
        if progress:
            progress(f"evaluating on {dev_path.name}")
        examples = read_labelled(dev_path).examples
        cut = _threshold_for(settings, model)
        result = evaluate(model, examples, cut)
        metrics = {"data": str(dev_path), "threshold": cut, **result.summary()}
        if not force:
            _refuse_if_worse(settings, examples, result.macro_f1, progress)
    path = save_model(model, settings.models_dir(), metrics)
    return TrainOutcome(model, path, [Path(p) for p in files], len(confirmed), note, metrics or {})


def _refuse_if_worse(settings: Settings, examples: Sequence[Any], new_f1: float, progress: Progress | None) -> None:
    try:
        deployed = load_model(settings.models_dir())
    except ModelNotTrainedError:
        return
    if progress:
        progress(f"comparing with the deployed model {deployed.version}")
    old = evaluate(deployed, examples, _threshold_for(settings, deployed))
    if new_f1 < old.macro_f1 - REPLACE_TOLERANCE:
        raise WorseModelError(
            f"the new model is worse than the deployed {deployed.version} on the dev data "
            f"(macro-F1 {new_f1:.4f} < {old.macro_f1:.4f}); kept the deployed model — use --force to replace it",
            field="--force")


def load_or_train(settings: Settings, progress: Progress | None = None,
                  announce: Progress | None = None) -> CategoryModel:
    """The installed model, training it first from the shipped data when there is none yet."""
    try:
        return load_model(settings.models_dir())
    except ModelNotTrainedError:
        if announce:
            announce("no category model in the data directory: training it from the shipped train split first")
        return train_classifier(settings, progress=progress).model
