"""The two tables of 泰迪杯 2020 C题 task 2 as XLSX: 热点问题表 and 热点问题留言明细表.

Column names are the task's, exactly. 问题ID is the issue's rank number as the task's example uses it
(1 … N, the same in both tables); the stable ``issue_id`` of the JSON output is in a last column of the
first table so the two outputs can be joined. Texts pass ``mask_text(output="export")`` (the one door out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook

from massline.guide.hot import LOCAL_TZ, Analysis, HotIssue
from massline.privacy import mask_text

ISSUE_COLUMNS = ("热度排名", "问题ID", "热度指数", "时间范围", "地点/人群", "问题描述")
DETAIL_COLUMNS = ("问题ID", "留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "点赞数", "反对数")
ISSUE_FILE = "热点问题表.xlsx"
DETAIL_FILE = "热点问题留言明细表.xlsx"


def _day(issue: HotIssue) -> str:
    return (f"{issue.start.astimezone(LOCAL_TZ):%Y/%m/%d} 至 {issue.end.astimezone(LOCAL_TZ):%Y/%m/%d}")


def write_tables(analysis: Analysis, hot: Sequence[HotIssue], directory: Path, *,
                 users: Mapping[str, str] | None = None, role: str | None = None) -> tuple[Path, Path]:
    """Write both workbooks into ``directory``; ``users`` maps external ids to the file's 留言用户 (else pseudonyms)."""
    directory.mkdir(parents=True, exist_ok=True)
    issues_wb, detail_wb = Workbook(), Workbook()
    ws, wd = issues_wb.active, detail_wb.active
    assert ws is not None and wd is not None  # a new workbook always has one sheet
    ws.title, wd.title = "热点问题表", "热点问题留言明细表"
    ws.append([*ISSUE_COLUMNS, "issue_id"])
    wd.append(list(DETAIL_COLUMNS))
    for h in hot:
        place = h.place or "、".join(h.people[:2])
        ws.append([h.rank, h.rank, h.heat, _day(h), mask_text(place, "export", role),
                   mask_text(h.problem, "export", role), h.issue_id])
        for i in h.members:
            m = analysis.messages[i]
            user = (users or {}).get(m.external_id or "", m.author or "")
            wd.append([h.rank, m.external_id, user, mask_text(m.title, "export", role),
                       f"{m.created_at.astimezone(LOCAL_TZ):%Y/%m/%d %H:%M:%S}", mask_text(m.body, "export", role),
                       m.likes, m.dislikes])
    paths = directory / ISSUE_FILE, directory / DETAIL_FILE
    issues_wb.save(paths[0])
    detail_wb.save(paths[1])
    return paths
