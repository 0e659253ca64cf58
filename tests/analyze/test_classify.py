"""The category classifier: reading 附件2 files, training, the artifact, calibration, the commands.

A small model (40 messages per class from the train split) trains in a few seconds; one slow
test trains on the whole train split and checks the dev figures the README quotes.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import massline.cli.classify  # noqa: F401  (registers the commands)
from massline.analyze.classify.data import (
    CATEGORIES,
    Example,
    examples_sha256,
    read_labelled,
    shared_data_file,
)
from massline.analyze.classify.model import FEATURES_VERSION, CategoryModel, load_model, save_model, train_model
from massline.analyze.classify.text import TITLE_MARK, classifier_text, reading_text, split_title
from massline.cli._apps import app
from massline.core.errors import InputError, ModelNotTrainedError

TAIDI = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "taidi2020"
TRAIN, DEV = TAIDI / "fj2_train.csv", TAIDI / "fj2_dev.csv"
HEADER = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "一级标签"]


def _subset(path: Path, per_class: int, skip: int = 0) -> list[Example]:
    seen: dict[str, int] = defaultdict(int)
    out = []
    for ex in read_labelled(path).examples:
        seen[ex.label] += 1
        if skip < seen[ex.label] <= skip + per_class:
            out.append(ex)
    return out


@pytest.fixture(scope="module")
def small() -> list[Example]:
    return _subset(TRAIN, 40)


@pytest.fixture(scope="module")
def model(small: list[Example]) -> CategoryModel:
    return train_model(small)


def _write_csv(path: Path, examples: list[Example], extra_rows: Sequence[list[str]] = ()) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:  # BOM, as Excel writes it
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i, ex in enumerate(examples):
            title, body = split_title(ex.text)  # cells that read back as the same classifier text
            writer.writerow([str(i), "", title, "", body, ex.label])
        writer.writerows(extra_rows)
    return path


def test_when_title_and_body_are_given_then_classifier_text_joins_them_without_whitespace() -> None:
    assert classifier_text(" A市 公交 ", "车站\n\t太远") == f"A市公交{TITLE_MARK}车站太远"
    assert classifier_text(None, "只有 详情") == "只有详情"
    assert classifier_text("只有主题", "") == f"只有主题{TITLE_MARK}"


def test_when_a_classifier_text_is_split_then_title_and_body_come_back_even_if_the_input_held_the_mark() -> None:
    text = classifier_text("公交\x1e站", "太\x1e远")
    assert split_title(text) == ("公交站", "太远")
    assert reading_text(text) == "公交站。太远"
    assert split_title("只有详情") == ("", "只有详情")
    assert reading_text(classifier_text("只有主题", None)) == "只有主题"


def test_when_a_csv_has_a_bom_and_empty_fields_then_rows_are_read_and_bad_rows_are_named(
        tmp_path: Path, small: list[Example]) -> None:
    bad_rows = [["9", "", "", "", "", "城乡建设"], ["10", "", "", "", "有字", ""]]
    path = _write_csv(tmp_path / "a.csv", small[:3], bad_rows)
    read = read_labelled(path)
    assert read.examples == small[:3]
    assert read.skipped == ["row 5: field '留言详情' and '留言主题' are empty", "row 6: field '一级标签' is empty"]
    assert len(read.sha256) == 64


def test_when_a_file_has_no_label_column_then_the_error_names_it(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("留言主题,留言详情\n标题,内容\n", encoding="utf-8")
    with pytest.raises(InputError, match="一级标签"):
        read_labelled(path)


def test_when_the_sample_xlsx_uses_the_yijifenlei_column_then_all_rows_are_read() -> None:
    read = read_labelled(TAIDI / "sample_fj2_495.xlsx")
    assert len(read.examples) + len(read.skipped) == 495
    assert len(read.examples) >= 490
    assert {e.label for e in read.examples} == set(CATEGORIES)
    assert all(e.text and "\n" not in e.text for e in read.examples)


def test_when_the_model_predicts_then_probabilities_are_calibrated_rows_summing_to_one(
        model: CategoryModel) -> None:
    texts = [e.text for e in _subset(DEV, 3)]
    proba = model.predict_proba(texts)
    assert proba.shape == (len(texts), 7)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert ((proba >= 0) & (proba <= 1)).all()
    predicted = model.predict(texts)
    assert [label for label, _ in predicted] == [model.classes[i] for i in proba.argmax(axis=1)]
    assert all(p >= 0.5 for _, p in predicted)  # the decision's probability is never below one half
    assert model.classes == list(CATEGORIES)
    assert model.predict_proba([]).shape == (0, 7)


def test_when_a_prediction_is_explained_then_the_reason_names_words_of_the_text(model: CategoryModel) -> None:
    text = "A市某小区旁边的工地晚上施工噪音太大，严重影响居民休息，请环保部门处理。"
    label, _ = model.predict([text])[0]
    reason = model.explain(text, label, k=3)
    words = [part.split("(")[0] for part in reason.split(", ")]
    assert 1 <= len(words) <= 3
    assert all(w in text for w in words)
    with pytest.raises(InputError, match="unknown label"):
        model.explain(text, "不存在")


def test_when_the_model_is_saved_and_loaded_then_it_predicts_the_same_and_meta_names_its_data(
        tmp_path: Path, model: CategoryModel, small: list[Example]) -> None:
    path = save_model(model, tmp_path, {"macro_f1": 0.5})
    assert path == tmp_path / "classify" / "model.npz"
    loaded = load_model(tmp_path)
    texts = [e.text for e in _subset(DEV, 2)]
    assert np.allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=1e-6)
    meta = json.loads((tmp_path / "classify" / "meta.json").read_text(encoding="utf-8"))
    assert meta["training_data_sha256"] == examples_sha256(small)
    assert loaded.version == model.version == f"clf{FEATURES_VERSION}-{examples_sha256(small)[:8]}"
    assert meta["n"] == len(small) and meta["classes"] == list(CATEGORIES)
    assert meta["metrics"] == {"macro_f1": 0.5}
    assert {"scikit-learn", "numpy", "jieba"} <= set(meta["libraries"]) and meta["created_at"]
    assert meta["hyperparameters"]["svm_c"] == 1.0


def test_when_no_model_was_trained_then_loading_says_to_train_it(tmp_path: Path) -> None:
    with pytest.raises(ModelNotTrainedError, match="massline train classify"):
        load_model(tmp_path)


def test_when_the_artifact_is_not_a_model_then_loading_refuses_it(tmp_path: Path) -> None:
    (tmp_path / "classify").mkdir()
    (tmp_path / "classify" / "model.npz").write_bytes(b"not a model")
    with pytest.raises(ModelNotTrainedError, match="not a readable category model"):
        load_model(tmp_path)


def test_when_the_shipped_data_is_looked_up_then_it_is_found_or_named(monkeypatch: pytest.MonkeyPatch) -> None:
    assert shared_data_file("fj2_train.csv") == TRAIN.resolve()
    monkeypatch.setenv("MASSLINE_SHARED_DATA", str(TAIDI.parent))
    assert shared_data_file("fj2_dev.csv") == DEV
    with pytest.raises(InputError, match="MASSLINE_SHARED_DATA"):
        shared_data_file("no_such_file.csv")


def test_when_eval_classify_runs_then_the_last_line_is_the_json_summary(
        tmp_path: Path, model: CategoryModel) -> None:
    save_model(model, tmp_path / "models")
    data = _write_csv(tmp_path / "dev.csv", _subset(DEV, 4))
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "eval", "classify", "--data", str(data),
                                      "--threshold", "0.6"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert set(summary) >= {"macro_f1", "accuracy", "n", "coverage_at_threshold", "accuracy_at_threshold",
                            "threshold", "threshold_source", "wilson_lower_at_threshold"}
    assert summary["threshold"] == 0.6 and summary["threshold_source"] == "option"
    assert summary["n"] == 28
    assert 0 <= summary["coverage_at_threshold"] <= 1 and 0 <= summary["macro_f1"] <= 1
    assert "卫生计生" in result.output  # the per-class table


def test_when_train_classify_runs_on_given_files_then_the_model_lands_in_the_data_dir(
        tmp_path: Path, small: list[Example]) -> None:
    data = _write_csv(tmp_path / "train.csv", small)
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "train", "classify", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "confirmed labels added: 0" in result.output
    meta = json.loads((tmp_path / "models" / "classify" / "meta.json").read_text(encoding="utf-8"))
    assert meta["n"] == len(small) and meta["files"][0]["path"] == str(data)
    assert "macro_f1" in meta["metrics"]  # evaluated on the shipped dev split


def test_when_train_classify_gets_a_missing_file_then_it_fails_clearly(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "train", "classify", "--data",
                                      str(tmp_path / "missing.csv")])
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_when_a_label_has_too_few_examples_then_training_ignores_it_and_says_so(small: list[Example]) -> None:
    said: list[str] = []
    model = train_model(small[:60] + small[-60:], [("新类别的唯一一条留言", "新类别")], progress=said.append)
    assert "新类别" not in model.classes
    assert model.meta["ignored_labels"] == {"新类别": 1}
    assert any("新类别" in line for line in said)


def test_when_a_new_model_scores_worse_than_the_deployed_one_then_it_is_refused_unless_forced(
        tmp_path: Path, model: CategoryModel) -> None:
    from massline.analyze.classify.service import WorseModelError, _refuse_if_worse
    from massline.core.config import Settings

    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'm.db'}", secret_key="s")
    save_model(model, settings.models_dir())
    examples = _subset(DEV, 2)
    with pytest.raises(WorseModelError, match="--force"):
        _refuse_if_worse(settings, examples, new_f1=0.0, progress=None)
    _refuse_if_worse(settings, examples, new_f1=1.0, progress=None)  # better: replaces
    assert model.meta["routing"]["threshold"] >= 0.5  # every trained model carries its bound-based threshold
