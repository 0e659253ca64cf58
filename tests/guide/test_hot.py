"""Hot issues on real 附件3 messages: grouping, heat parts, the CLI contract (JSON schema, 泰迪杯 XLSX)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import jsonschema_rs
from openpyxl import load_workbook
from tests.guide.conftest import FJ3_SAMPLE
from typer.testing import CliRunner

import massline.cli.app  # noqa: F401  (registers every command)
from massline.cli._apps import app
from massline.guide.export import DETAIL_COLUMNS, ISSUE_COLUMNS
from massline.guide.heat import PARTS
from massline.guide.hot import Analysis, rank_issues
from massline.guide.schemas import HOT_ISSUES


def test_heat_parts_sum_to_the_index_on_real_issues(slice_analysis: Analysis) -> None:
    hot = rank_issues(slice_analysis, top=None)
    assert len(hot) > 50
    for h in hot:
        assert set(h.heat_parts) == set(PARTS)
        assert math.isclose(sum(h.heat_parts.values()), h.heat, abs_tol=1e-6)
        assert all(v >= 0 for v in h.heat_parts.values())
    assert [h.heat for h in hot] == sorted((h.heat for h in hot), reverse=True)


def test_messages_about_one_estate_problem_form_one_hot_issue(slice_analysis: Analysis) -> None:
    hot = rank_issues(slice_analysis, top=5)
    top = hot[0]
    titles = [slice_analysis.messages[i].title for i in top.members]
    # 丽发新城 residents wrote about the concrete mixing station next to the estate again and again.
    assert sum("丽发" in t for t in titles) >= 0.8 * len(titles) and len(titles) >= 10
    assert "丽发新城" in top.label and top.users >= 8
    assert top.start <= top.end and len(top.message_ids) == len(top.external_ids)


def test_guide_hot_json_validates_against_the_schema(db_url: str) -> None:
    result = CliRunner().invoke(app, ["--database-url", db_url, "guide", "hot", "--data", str(FJ3_SAMPLE),
                                      "--top", "5", "--format", "json"])
    assert result.exit_code == 0, result.output
    issues = json.loads(result.stdout.strip().splitlines()[-1])
    jsonschema_rs.validate(HOT_ISSUES, issues)
    assert [i["rank"] for i in issues] == list(range(1, len(issues) + 1)) and issues
    # the same file again: nothing new is stored, the same ranking comes out
    again = CliRunner().invoke(app, ["--database-url", db_url, "guide", "hot", "--data", str(FJ3_SAMPLE),
                                     "--top", "5", "--format", "json"])
    assert json.loads(again.stdout.strip().splitlines()[-1]) == issues


def test_guide_hot_xlsx_writes_the_two_taidi_tables(sqlite_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--database-url", sqlite_url, "guide", "hot", "--data", str(FJ3_SAMPLE),
                                      "--top", "3", "--format", "xlsx", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    issues = load_workbook(tmp_path / "热点问题表.xlsx").active
    detail = load_workbook(tmp_path / "热点问题留言明细表.xlsx").active
    assert issues is not None and detail is not None
    assert tuple(c.value for c in issues[1][:6]) == ISSUE_COLUMNS
    assert tuple(c.value for c in detail[1]) == DETAIL_COLUMNS
    assert issues.max_row == 4 and detail.max_row >= 4
    assert {row[0].value for row in detail.iter_rows(min_row=2)} <= {1, 2, 3}
    assert str(detail.cell(2, 3).value).startswith("A")  # 留言用户 as in the file


def test_guide_hot_without_output_dir_for_xlsx_is_a_clear_error(sqlite_url: str) -> None:
    result = CliRunner().invoke(app, ["--database-url", sqlite_url, "guide", "hot", "--format", "xlsx"])
    assert result.exit_code == 2 and "--output" in result.output
