"""Choosing the auto-routing threshold with a confidence bound, not a point estimate.

Why: at the old fixed threshold (0.85) the out-of-fold accuracy among routed messages was 97–98 %,
and on unseen messages it came out at 97.1 % — a point estimate that happened to sit on the target
falls under it half the time. Here the threshold is the lowest confidence at which the *lower*
Wilson bound (95 %) of the out-of-fold accuracy among the messages it routes is still at least the
target (98 %), so the promise holds with a margin. The coverage this leaves is reported with it.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from massline.core.config import Settings

TARGET_ACCURACY = 0.98
Z_95 = 1.959964  # two-sided 95 % (one-sided 97.5 %)
#: Never route below this, whatever the bound says (a guard against degenerate tiny training sets).
MIN_THRESHOLD = 0.5
#: The threshold used when no bound can be met (nothing is routed automatically with confidence).
FALLBACK = 0.99


def wilson_lower(correct: int, n: int, z: float = Z_95) -> float:
    """Lower end of the Wilson score interval for ``correct`` successes out of ``n``."""
    if n <= 0:
        return 0.0
    p = correct / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / denom


@dataclass(frozen=True)
class ThresholdChoice:
    threshold: float
    target_accuracy: float
    coverage: float  # share of out-of-fold messages routed at the threshold
    accuracy: float  # their accuracy
    wilson_lower: float  # its lower 95 % bound (≥ target unless ``met`` is False)
    n: int
    met: bool

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def choose_threshold(confidence: np.ndarray, correct: np.ndarray, target: float = TARGET_ACCURACY,
                     z: float = Z_95) -> ThresholdChoice:
    """The lowest threshold (max. coverage) whose routed set has Wilson lower bound ≥ ``target``.

    Candidates are the observed confidences (rounded to 0.005); ties route together, as in production.
    """
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=bool)
    n = len(conf)
    candidates = sorted({round(math.floor(c * 200) / 200, 3) for c in conf if c >= MIN_THRESHOLD})
    for t in candidates:
        routed = conf >= t
        k = int(routed.sum())
        if k == 0:
            continue
        hits = int(ok[routed].sum())
        lower = wilson_lower(hits, k, z)
        if lower >= target:
            return ThresholdChoice(float(t), target, k / n, hits / k, lower, n, True)
    routed = conf >= FALLBACK
    k = int(routed.sum())
    hits = int(ok[routed].sum())
    return ThresholdChoice(FALLBACK, target, k / n if n else 0.0, hits / k if k else 1.0, wilson_lower(hits, k, z),
                           n, False)


#: Where a trained model lives under the models directory (``model.py`` saves there; defined here so this
#: light module can read the threshold without importing the model code).
MODEL_SUBDIR = "classify"
META_FILE = "meta.json"
#: The model's weights and tables in ``MODEL_SUBDIR`` (named here, beside the other file names, so
#: that ``analyze.category`` can check the files without importing the model module).
ARTIFACT = "model.npz"


def model_routing(models_dir: Path) -> dict[str, Any] | None:
    """The ``routing`` block of the installed model's ``meta.json`` (None without a model or block)."""
    path = Path(models_dir) / MODEL_SUBDIR / META_FILE
    if not path.is_file():
        return None
    try:
        routing = json.loads(path.read_text(encoding="utf-8")).get("routing")
    except (OSError, ValueError):
        return None
    return routing if isinstance(routing, dict) and isinstance(routing.get("threshold"), int | float) else None


def effective_threshold(settings: Settings) -> tuple[float, str]:
    """(threshold, where it comes from): ``MASSLINE_ROUTE_THRESHOLD`` when set explicitly ("setting"), else the
    installed model's bound-based choice ("model"), else the default setting ("default")."""
    if "route_threshold" in settings.model_fields_set:
        return settings.route_threshold, "setting"
    routing = model_routing(settings.resolved_data_dir() / "models")
    if routing is not None:
        return float(routing["threshold"]), "model"
    return settings.route_threshold, "default"
