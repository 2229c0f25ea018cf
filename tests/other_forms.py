"""A second set of forms that is not 2018's, as a clerk pastes next year's notice into 表格内容.xlsx: five
sections (one of a single item), half points, a total of 150, three groups, three task statuses, the unit
党支部 — each section's 序号 and 项目 and each group's 类别 in a merged cell, the way LibreOffice pastes a
table copied from Word. Written with openpyxl (`write_xlsx`) or as a flat ODS for LibreOffice to convert
(`write_fods`); `EXPECTED` is what reading it must give."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

FORM1_TITLE = "{学校}{年度}年党支部标准化建设考核评分表"
FORM2_TITLE = "{年度}年党支部重点工作任务清单"
# (序号, 项目, [(督查内容及方式, 分值)]): the text as written (numbering 1. / 1． / （1）, a line break kept,
# spaces around trimmed), the points as numbers or text (3分, 0.5分)
SECTIONS: list[tuple[str, str, list[tuple[str, Any]]]] = [
    (
        "一",
        "组织设置（10分）",
        [
            ("1.党支部设置符合规定。", 3),
            ("2.按期换届，\n选举程序规范。", "3分"),
            ("  3.支部委员分工明确。 ", 4),
        ],
    ),
    (
        "二",
        "组织生活\n（40分）",
        [
            ("1．“三会一课”按时召开，记录完整。", 7.5),
            ("2．每年召开组织生活会。", "7.5分"),
            ("3．开展民主评议党员。", 10),
            ("4．开展主题党日活动。", 5),
            ("5．谈心谈话经常化。", 5),
            ("6．落实请示报告制度。", 5),
        ],
    ),
    (
        "三",
        "党员教育管理（60分）",
        [
            ("（1）学习教育有计划、有记录。", 20),
            ("（2）发展党员程序规范。", 20),
            ("（3）党费按时足额交纳。", 19.5),
            ("（4）党员档案齐全。", "0.5分"),
        ],
    ),
    ("四", "阵地建设（15分）", [("1.有固定的党员活动室。", 15)]),
    ("五", "工作成效（25分）", [("1.党员发挥先锋模范作用。", 12.5), ("2.群众满意度高。", 12.5)]),
]
GROUPS = [
    ("一、政治建设", ["1．学习贯彻党的创新理论。", "2．落实意识形态工作责任制。"]),
    ("二、组织建设", ["3．规范党支部设置。", "4．严格党员发展。", "5．加强党员教育管理。"]),
    ("三、作风建设", ["6．落实中央八项规定精神。"]),
]
STATUSES = ("已完成", "推进中", "未开展")
UNIT = "党支部"
SETTINGS_ROWS = [
    ["设置项", "内容", "说明"],
    ["附件1标识", "附件3", None],
    ["附件2标识", "附件4", None],
    ["完成状态", "、".join(STATUSES), None],
    ["填报单位", UNIT, None],
    ["表格版本", "2024-支部-1", None],
    [None, None, None],
    ["编号", "原文", "更正", "说明"],
    ["二.3", "民主平议", "民主评议", "笔误"],
]
EXPECTED = {
    "sections": [("一", "组织设置", 10), ("二", "组织生活", 40), ("三", "党员教育管理", 60), ("四", "阵地建设", 15),
                 ("五", "工作成效", 25)],
    "points": [3, 3, 4, 7.5, 7.5, 10, 5, 5, 5, 20, 20, 19.5, 0.5, 15, 12.5, 12.5],
    "total": 150,
    "groups": [("G1", "一", 2), ("G2", "二", 3), ("G3", "三", 1)],
    "attachments": ("附件3", "附件4"),
}  # fmt: skip

Merge = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based)


def form1_sheet() -> tuple[list[list[Any]], list[Merge]]:
    """附件1 as pasted: the attachment line, the title, the header, then the table (a blank row after 二)."""
    rows: list[list[Any]] = [["附件3", None, None, None], [FORM1_TITLE, None, None, None]]
    rows.append(["序号", "项  目", "督查内容及方式", "分值"])
    merges: list[Merge] = [(1, 0, 1, 3)]
    for numeral, name, items in SECTIONS:
        first = len(rows)
        for k, (text, points) in enumerate(items):
            rows.append([numeral if k == 0 else None, name if k == 0 else None, text, points])
        if len(items) > 1:
            merges += [(first, 0, len(rows) - 1, 0), (first, 1, len(rows) - 1, 1)]
        if numeral == "二":
            rows.append([None, None, None, None])
    rows.append(["合计", None, None, 150])
    merges.append((len(rows) - 1, 0, len(rows) - 1, 2))
    return rows, merges


def form2_sheet() -> tuple[list[list[Any]], list[Merge]]:
    rows: list[list[Any]] = [[FORM2_TITLE, None], ["类别", "重点工作任务"]]
    merges: list[Merge] = []
    for title, tasks in GROUPS:
        first = len(rows)
        rows += [[title if k == 0 else None, t] for k, t in enumerate(tasks)]
        if len(tasks) > 1:
            merges.append((first, 0, len(rows) - 1, 0))
    return rows, merges


def sheets() -> dict[str, tuple[list[list[Any]], list[Merge]]]:
    return {"附件1": form1_sheet(), "附件2": form2_sheet(), "设置": (SETTINGS_ROWS, [])}


def write_xlsx(path: Path, book: dict[str, tuple[list[list[Any]], list[Merge]]] | None = None) -> Path:
    """The sheets as an .xlsx written by openpyxl, merged ranges and all."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, (rows, merges) in (book or sheets()).items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    ws.cell(r, c, value)
        for r0, c0, r1, c1 in merges:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    wb.save(path)
    return path


def write_fods(path: Path) -> Path:
    """The sheets as a flat ODS (merged cells spanned, covered cells as table:covered-table-cell, line breaks
    as paragraphs), for LibreOffice to convert to .xlsx."""
    tables = "".join(_fods_table(name, rows, merges) for name, (rows, merges) in sheets().items())
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document>",
        "utf-8",
    )
    return path


def _fods_table(name: str, rows: list[list[Any]], merges: list[Merge]) -> str:
    width = max(len(r) for r in rows)
    starts = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in merges}
    covered = {
        (r, c)
        for r0, c0, r1, c1 in merges
        for r in range(r0, r1 + 1)
        for c in range(c0, c1 + 1)
        if (r, c) != (r0, c0)
    }
    out = [f'<table:table table:name="{escape(name)}">']
    for r, row in enumerate(rows):
        out.append("<table:table-row>")
        for c in range(width):
            value = row[c] if c < len(row) else None
            if (r, c) in covered:
                out.append("<table:covered-table-cell/>")
                continue
            span = starts.get((r, c))
            attrs = (
                f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"'
                if span
                else ""
            )
            out.append(_fods_cell(value, attrs))
        out.append("</table:table-row>")
    out.append("</table:table>")
    return "".join(out)


def _fods_cell(value: Any, attrs: str) -> str:
    if value is None:
        return f"<table:table-cell{attrs}/>"
    if isinstance(value, int | float):
        return f'<table:table-cell{attrs} office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in str(value).split("\n"))
    return f'<table:table-cell{attrs} office:value-type="string">{paragraphs}</table:table-cell>'
