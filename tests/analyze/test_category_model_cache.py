"""The category component loads a models directory's classifier once while its files stay the same."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from massline.analyze import category


def _write(folder: Path, content: bytes) -> None:
    target = folder / "classify"
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / ".tmp"
    tmp.write_bytes(content)
    os.replace(tmp, target / "model.npz")  # as save_model writes it: a new file, atomically
    (target / "meta.json").write_text("{}", encoding="utf-8")


def test_a_model_is_loaded_once_until_its_files_are_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[Path] = []

    def load_model(folder: Path) -> Any:
        loads.append(folder)
        return SimpleNamespace(version=f"v{len(loads)}", classes=["a"])

    monkeypatch.setattr(category, "_classify_module", lambda: SimpleNamespace(load_model=load_model))
    monkeypatch.setattr(category, "_loaded", {})
    _write(tmp_path, b"first")
    first = category.load_category_model(tmp_path)
    assert category.load_category_model(tmp_path) is first and len(loads) == 1
    _write(tmp_path, b"second model")  # retrained: loaded anew
    second = category.load_category_model(tmp_path)
    assert second is not first and second.version == "v2" and len(loads) == 2
    (tmp_path / "classify" / "model.npz").unlink()  # gone: the loader says so, nothing stale is served
    monkeypatch.setattr(category, "_classify_module", lambda: SimpleNamespace(load_model=_missing))
    with pytest.raises(category.ModelNotTrainedError):
        category.load_category_model(tmp_path)


def _missing(folder: Path) -> Any:
    raise category.ModelNotTrainedError(f"no category model at {folder}; run `massline train classify`")
