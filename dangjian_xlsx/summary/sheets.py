"""The data sheets of the summary workbook after the score sheets (问题台账 … 校验问题); the score sheets
are in score_sheets.py, 总览 in overview.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
from xlsxwriter.worksheet import Worksheet

from .. import aggregate as ag
from ..catalog import plain, ref_labels
from ..models import DEFAULT_UNIT, Catalog
from ..problemnames import problem_name
from .colours import FIX_STATES
from .measure import text_units
from .style import (
    RATE_SCALE,
    Col,
    Formats,
    col_index,
    colour_rules,
    field_label,
    print_setup,
    put,
    sized,
    span,
    table,
    title,
)


def ledger_sheet_columns(unit: str = DEFAULT_UNIT) -> tuple[Col, ...]:
    """问题台账's columns (the branch's headed by the round's unit word); summary/previous.py finds them by these
    headers in a summary saved again by a person. The section is on screen only (the item says it on paper)."""
    return (Col("seq", "序号", 5, "int"), Col("branch", unit, 16, "wrap"), *_LEDGER_REST)


_LEDGER_REST = (
    Col("item_id", "编号", 6, "center"),
    Col("item", "督查内容", 36, "wrap"),
    Col("points", "分值", 5, "points"),
    Col("score", "得分", 5, "num"),
    Col("lost", "失分", 5, "num"),
    Col("note", "扣分说明（佐证材料）", 40, "wrap"),
    Col("fix", "整改措施", 26, "input"),
    Col("owner", "责任人", 8, "input"),
    Col("deadline", "整改时限", 10, "input"),
    Col("fix_status", "整改状态", 9, "input", status=True),
    Col("ledger_state", "台账状态", 14, "wrap"),  # what became of a row typed into (aggregate/ledger.py)
    Col("section", "所属部分", 30, "wrap", printed=False),
)


def ledger_sheet(ws: Worksheet, F: Formats, t: ag.Tables, terms: ag.Terms) -> None:
    own = ledger_sheet_columns(terms.unit)
    known = {*ag.LEDGER_COLUMNS, *(c.key for c in own)}
    added = [Col(k, k, 16, "input") for k in t.ledger.columns if k not in known]  # the columns people added
    cols = [*(c for c in own if c.printed), *added, *(c for c in own if not c.printed)]
    title(
        ws,
        F,
        "问题台账（自评扣分项）",
        "每个扣分项一行。黄底四列（整改措施、责任人、整改时限、整改状态）由组织部跟踪填写；"
        f"整改状态可填“{' / '.join(FIX_STATES)}”。再次汇总时已填写的内容自动带入；"
        "对应的扣分已不存在的行仍保留，并在“台账状态”中注明。“所属部分”列只在屏幕上显示。",
        *span(cols),
    )
    table(ws, F, t.ledger, sized(F, cols, t.ledger, {"branch": (8.0, 20.0)}), freeze_cols=3)


def tasks_note(catalog: Catalog) -> str:
    """任务清单汇总's explanation: the rate as the catalog's statuses make it."""
    na = f"，不计“{catalog.na_status}”" if catalog.na_status else ""
    return (
        f"完成率 = {ag.rate_formula(catalog)}{na}。有未填或无效状态的{catalog.form2.attachment}为“暂计”，"
        "须更正后才计算完成率，也不计入第3行各项任务的全校完成率。任务全文见“任务清单明细”。"
    )


def tasks_sheet(ws: Worksheet, F: Formats, t: ag.Tables, catalog: Catalog) -> None:
    widths = {"branch": (8.0, 16.0), "status": (6.0, 12.0)}
    meta = [
        Col("seq", "序号", 5, "int"),
        Col("branch", catalog.unit, 16, "wrap"),
        Col("status", catalog.form2.attachment, 12, "wrap", status=True),
        Col("rate", "完成率", 7, "pct"),
        *(
            Col(c.key, c.header, 5.5 if c.role == ag.ROLE_BLANK else 6.5, "int")
            for c in ag.status_columns(catalog)
        ),
    ]
    meta = sized(F, meta, t.tasks, widths)
    word = max((text_units(w) for w in catalog.statuses), default=4) + 1.5
    cols = [
        *meta,
        *(
            Col(tk.id, f"{tk.id} {ag.short_text(tk.text, 18)}", max(word, 7), "center")
            for tk in catalog.tasks
        ),
    ]
    title(
        ws,
        F,
        f"重点任务清单汇总（{len(catalog.tasks)}项任务完成状态）",
        tasks_note(catalog),
        *span(cols),
    )
    rate_row, header_row = 2, 3
    k = len(meta)
    ws.merge_range(rate_row, 0, rate_row, k - 1, "", F.label)
    ws.write_string(rate_row, 0, "各项任务全校完成率 →", F.label)
    pct = F.by_kind["pct"]
    for j, rate in enumerate(t.task_rates["rate"].tolist()):
        put(ws, rate_row, k + j, rate, pct)
    first, last = table(ws, F, t.tasks, cols, header_row=header_row, freeze_cols=2)
    statuses = t.tasks[[c.key for c in cols[k:]]].to_numpy().ravel().tolist()
    colour_rules(ws, F, first, k, last, len(cols) - 1, statuses)
    rate = col_index(cols, "rate")
    for r1, c1, r2, c2 in ((rate_row, k, rate_row, len(cols) - 1), (first, rate, last, rate)):
        if r2 >= r1:
            ws.conditional_format(r1, c1, r2, c2, RATE_SCALE)
    print_setup(ws, rate_row, header_row)
    ws.repeat_columns(0, 1)


def task_details_columns(unit: str) -> list[Col]:
    return [
        Col("seq", "序号", 5, "int"),
        Col("branch", unit, 16, "wrap"),
        Col("task_id", "编号", 5.5, "center"),
        Col("task", "重点工作任务", 36, "wrap"),
        Col("status", "完成状态", 9, "center", status=True),
        Col("done", "完成情况（做法及佐证材料）", 44, "wrap"),
        Col("issues", "存在问题及整改措施", 40, "wrap"),
        Col("group", "类别", 30, "wrap", printed=False),
    ]


def task_details_sheet(ws: Worksheet, F: Formats, t: ag.Tables, catalog: Catalog) -> None:
    """任务清单明细: every answer; the tasks not done first (what is printed), then the done ones (on screen
    only), each part in roster order."""
    text = {tk.id: ag.short_text(tk.text, 34) for tk in catalog.tasks}
    cols = task_details_columns(catalog.unit)
    details = t.task_details
    shown = {c.key: details[c.key] for c in cols if c.key != "task"}  # the table's columns, not copied
    df = pd.DataFrame({**shown, "task": details["task_id"].map(text)}, copy=False)
    order = open_first(details, catalog.done_status)
    n_done = int((df["status"] == catalog.done_status).sum())
    n_open = len(df) - n_done
    unit = catalog.unit
    title(
        ws,
        F,
        f"重点任务清单明细（打印：完成状态不是“{catalog.done_status}”的 {n_open} 项；"
        f"“{catalog.done_status}”的 {n_done} 项只在屏幕上列出）",
        f"每个{unit}每项任务一行：先列完成状态不是“{catalog.done_status}”的（含未填），再列“{catalog.done_status}”的，"
        f"各按名单顺序。打印区域只含前一部分，“类别”列只在屏幕上显示；可用筛选按{unit}、状态或类别查看。",
        *span(cols),
    )
    header_row = 2
    cols = sized(F, cols, df, {"branch": (8.0, 20.0)})
    first, _ = table(ws, F, df, cols, header_row=header_row, freeze_cols=3, order=order)
    printed = sum(c.printed for c in cols)
    ws.print_area(0, 0, first + n_open - 1 if n_open else header_row, printed - 1)


def open_first(details: pd.DataFrame, done_status: str) -> np.ndarray:
    """The positions of the answers not done, then of the done ones (each part in the table's order): the
    sheet's rows are taken from the table in this order a slice at a time, never as a reordered copy of it (a
    province's hundred thousand answers)."""
    done = (details["status"] == done_status).to_numpy(dtype=bool, na_value=False)
    return np.concatenate([np.flatnonzero(~done), np.flatnonzero(done)])


def submissions_sheet(ws: Worksheet, F: Formats, t: ag.Tables, terms: ag.Terms) -> None:
    f1, f2 = terms.form1, terms.form2
    cols = [
        Col("seq", "序号", 6, "int"),
        Col("branch", terms.unit, 24),
        Col("submitted", "交回情况", 10, "center", status=True),
        Col("quality", "材料质量", 10, "center", status=True),
        Col("report", "自查报告", 10, "center", status=True),
        Col("form1", f"{f1} 评分表", 11, "center", status=True),
        Col("form2", f"{f2} 任务清单", 11, "center", status=True),
        Col("errors", "错误数", 7, "int"),
        Col("contact", "联系人", 8, "wrap"),
        Col("email", "邮箱", 22, "wrap"),
        Col("report_file", "自查报告文件", 30, "wrap"),
        Col("form1_file", f"{f1}文件", 30, "wrap"),
        Col("form2_file", f"{f2}文件", 30, "wrap"),
        Col("doubt_files", "身份存疑的文件", 30, "wrap"),
    ]
    title(
        ws,
        F,
        "提交情况（按名单）",
        f"交回情况：{ag.SUBMIT_ALL}（{f1}、{f2}、自查报告均已收到）/ {ag.SUBMIT_PART} / {ag.SUBMIT_NONE}；"
        f"材料质量：{ag.QUALITY_OK}（已收到的均可用）/ {ag.QUALITY_FIX}（有被退回或待更正的）/ "
        f"{ag.QUALITY_DOUBT}（有文件无法确定是谁交的，不计入）/ {ag.QUALITY_NONE}。"
        f"两列各自合计等于应交{terms.unit}数，"
        "与“总览”一致。各表格：已交 / 有警告 / 需退回修改（按“校验问题”修改后重交）/ 身份存疑 / 未交。",
        *span(cols),
    )
    table(ws, F, t.submissions, cols, freeze_cols=2)


def files_sheet(ws: Worksheet, F: Formats, t: ag.Tables, unit: str) -> None:
    cols = [
        Col("path", "文件", 48, "wrap"),
        Col("kind", "类型", 14, "wrap"),
        Col("branch", unit, 16, "wrap"),
        Col("outcome", "处理结果", 13, "center", status=True),
        Col("claimant", "身份存疑：另一方", 14, "wrap"),
        Col("reason", "原因", 36, "wrap"),
        Col("errors", "错误数", 5.5, "int"),
        Col("warnings", "警告数", 5.5, "int"),
        Col("size", "大小（字节）", 10, "bytes"),
        Col("saved_at", "保存时间", 16),
        Col("sha256", "SHA-256", 66, "mono", printed=False),
    ]
    title(
        ws,
        F,
        "文件清单（收到的每一个文件）",
        f"每个文件只属于一种处理结果；身份存疑的文件列在最前（“{unit}”为表格内的{unit}，“另一方”为文件名、"
        f"文件夹名或填写内容指向的{unit}），不计入任何一方。SHA-256 可用于核对文件是否相同（只在屏幕上显示，不打印）。",
        *span(cols),
    )
    widths = {"path": (20.0, 60.0), "kind": (8.0, 20.0), "branch": (8.0, 20.0), "claimant": (8.0, 16.0)}
    table(ws, F, t.files, sized(F, cols, t.files, widths), freeze_cols=1)


def problems_sheet(ws: Worksheet, F: Formats, t: ag.Tables, catalog: Catalog) -> None:
    unit = catalog.unit
    refs = ref_labels(catalog)  # items and tasks as the forms show them (第一部分第2项), as the notices say
    df = t.problems.assign(
        field_label=[plain(field_label(v, unit), refs) for v in t.problems["field"].tolist()],
        kind=[problem_name(v, unit) for v in t.problems["code"].tolist()],
        message=[plain(v, refs) for v in t.problems["message"].tolist()],
    )
    cols = [
        Col("file", "文件", 36, "wrap"),
        Col("outcome", "文件处理结果", 14, "wrap", status=True),
        Col("branch", unit, 20),
        Col("sheet", "工作表", 12),
        Col("cell", "单元格", 8, "center"),
        Col("field_label", "内容", 12),
        Col("severity", "级别", 6, "center", status=True),
        Col("kind", "问题类别", 14, "wrap"),
        Col("message", "问题说明", 56, "wrap"),
        Col("value", "填写的内容", 24, "wrap"),
    ]
    title(
        ws,
        F,
        "校验问题（逐个单元格）",
        f"身份存疑的文件列在最前：无法确定是哪个{unit}交回的，不计入任何一方，请先核实。"
        "错误须修改后重新报送；警告不影响接收，请核对。“文件处理结果”为“已被新版本替代”的文件，"
        "其问题已由后来交回的文件取代，仅供备查。",
        *span(cols),
    )
    table(ws, F, df, cols, freeze_cols=1, header_height=20)
