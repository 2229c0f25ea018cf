"""The catalog written as 表格内容.xlsx (what `init` writes beside campaign.toml): 附件1 and 附件2 laid out
like the notice's tables — each section's 序号 and 项目, each group's 类别, in a merged cell — and 设置.
Reading it back (formsbook) gives the same catalog. The bytes are the same on every run."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from ..models import Catalog
from .formsbook import FORM1_SHEET, FORM2_SHEET
from .formssettings import SETTINGS_SHEET

_CREATED = dt.datetime(2018, 9, 26, 8, 0)  # fixed: the same catalog always gives the same bytes
_FONT = "宋体"
_SETTINGS_NOTES = {
    "附件1标识": "评分表左上角的附件编号",
    "附件2标识": "重点任务清单左上角的附件编号",
    "完成状态": "附件2每项任务可选的完成状态，用顿号分隔，至少两个",
    "填报单位": "填表的单位：党总支、党支部、直属党支部……，表格、通知和汇总表都这样称呼",
    "表格版本": "表格内容的版本名，改动表格内容后可改为新的名称（如 2019-1）",
}
_GUIDE = (
    "说明：附件1、附件2 两张工作表的格式与通知中的表格相同，可以把新通知的表格直接粘贴进去。",
    "附件1：序号写一、二……的行开始新的一部分，项目写部分名称（可在末尾写分数，如“（12分）”），"
    "同一部分的其他行序号和项目留空或合并；分值可写 2、2分、1.5。",
    "附件2：类别有内容（或合并单元格）的行开始新的一类。",
    "标题中可以写 {学校}、{年度}，生成表格时换成督查配置（campaign.toml）中的学校名称和年度。",
    "改好后运行 dangjian-xlsx forms check 表格内容.xlsx 检查。",
)


def forms_workbook(cat: Catalog) -> bytes:
    """The catalog as a 表格内容.xlsx workbook."""
    buf = io.BytesIO()
    import xlsxwriter  # here: a collect imports the catalog before it reads, and writes later

    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"title": "表格内容", "created": _CREATED})
    fmt = {
        "title": wb.add_format({"bold": True, "font_size": 14, "font_name": _FONT, "align": "center"}),
        "head": wb.add_format(
            {"bold": True, "font_name": _FONT, "border": 1, "align": "center", "bg_color": "#D9E1F2"}
        ),
        "cell": wb.add_format({"font_name": _FONT, "border": 1, "text_wrap": True, "valign": "vcenter"}),
        "mid": wb.add_format(
            {"font_name": _FONT, "border": 1, "text_wrap": True, "valign": "vcenter", "align": "center"}
        ),
        "note": wb.add_format(
            {"font_name": _FONT, "text_wrap": True, "valign": "top", "font_color": "#595959"}
        ),
    }
    _form1(wb.add_worksheet(FORM1_SHEET), cat, fmt)
    _form2(wb.add_worksheet(FORM2_SHEET), cat, fmt)
    _settings(wb.add_worksheet(SETTINGS_SHEET), cat, fmt)
    wb.close()
    return buf.getvalue()


def _span(ws: Any, first: int, last: int, col: int, value: str, f: Any) -> None:
    if last > first:
        ws.merge_range(first, col, last, col, value, f)
    else:
        ws.write_string(first, col, value, f)


def _form1(ws: Any, cat: Catalog, fmt: dict[str, Any]) -> None:
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 18)
    ws.set_column(2, 2, 70)
    ws.set_column(3, 3, 8)
    ws.merge_range(0, 0, 0, 3, cat.form1.title, fmt["title"])
    for col, head in enumerate(("序号", "项目", "督查内容及方式", "分值")):
        ws.write_string(1, col, head, fmt["head"])
    row = 2
    for s in cat.sections:
        last = row + len(s.items) - 1
        _span(ws, row, last, 0, s.numeral, fmt["mid"])
        _span(ws, row, last, 1, s.label, fmt["mid"])
        for it in s.items:
            ws.write_string(row, 2, it.text, fmt["cell"])
            ws.write_number(row, 3, it.points, fmt["mid"])
            row += 1
    ws.merge_range(row, 0, row, 2, "合计", fmt["mid"])
    ws.write_formula(row, 3, f"=SUM(D3:D{row})", fmt["mid"], cat.total_points)
    ws.freeze_panes(2, 0)


def _form2(ws: Any, cat: Catalog, fmt: dict[str, Any]) -> None:
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 90)
    ws.merge_range(0, 0, 0, 1, cat.form2.title, fmt["title"])
    ws.write_string(1, 0, "类别", fmt["head"])
    ws.write_string(1, 1, "重点工作任务", fmt["head"])
    row = 2
    for g in cat.form2.groups:
        _span(ws, row, row + len(g.tasks) - 1, 0, g.title, fmt["mid"])
        for t in g.tasks:
            ws.write_string(row, 1, t.text, fmt["cell"])
            row += 1
    ws.freeze_panes(2, 0)


def _settings(ws: Any, cat: Catalog, fmt: dict[str, Any]) -> None:
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 36)
    ws.set_column(2, 2, 36)
    ws.set_column(3, 3, 30)
    values = {
        "附件1标识": cat.form1.attachment,
        "附件2标识": cat.form2.attachment,
        "完成状态": "、".join(cat.statuses),
        "填报单位": cat.unit,
        "表格版本": cat.version,
    }
    for col, head in enumerate(("设置项", "内容", "说明")):
        ws.write_string(0, col, head, fmt["head"])
    for row, (key, value) in enumerate(values.items(), 1):
        ws.write_string(row, 0, key, fmt["cell"])
        ws.write_string(row, 1, value, fmt["cell"])
        ws.write_string(row, 2, _SETTINGS_NOTES[key], fmt["note"])
    row = len(values) + 2
    ws.write_string(row, 0, "勘误", fmt["title"])
    ws.write_string(row, 1, "通知原文中的错字：正文中已改正，这里只作记录", fmt["note"])
    for col, head in enumerate(("编号", "原文", "更正", "说明")):
        ws.write_string(row + 1, col, head, fmt["head"])
    for k, e in enumerate(cat.errata, row + 2):
        for col, value in enumerate((e.id, e.original, e.corrected, e.note)):
            ws.write_string(k, col, value, fmt["cell"])
    ws.set_column(4, 4, 80)
    for k, line in enumerate(_GUIDE, 1):  # beside the settings: not read back
        ws.write_string(k, 4, line, fmt["note"])
