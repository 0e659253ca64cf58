"""The category classifier (7 一级标签 of the 泰迪杯 2020 data): training, calibration, evaluation.

Public API: :func:`classifier_text`, :class:`CategoryModel`, :func:`train_model`,
:func:`save_model`, :func:`load_model`, :func:`evaluate` (see ``model.py`` and ``evaluate.py``).
"""

from __future__ import annotations

from massline.analyze.classify.text import classifier_text

__all__ = ["classifier_text"]
