"""The data sheets of the summary workbook after the score sheets (问题台账 … 校验问题); the score sheets
are in score_sheets.py, 总览 in overview.py."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from .. import aggregate as ag
from ..models import DEFAULT_UNIT, Catalog
from .colours import FIX_STATES
from .style import (
    RATE_SCALE,
    Col,
    Formats,
    col_index,
    colour_rules,
    field_label,
    print_setup,
    put,
    table,
    title,
)


def ledger_sheet_columns(unit: str = DEFAULT_UNIT) -> tuple[Col, ...]:
    """问题台账's columns (the branch's headed by the round's unit word); summary/previous.py finds them by these
    headers in a summary saved again by a person."""
    return (Col("seq", "序号", 6, "int"), Col("branch", unit, 20, "wrap"), *_LEDGER_REST)


_LEDGER_REST = (
    Col("item_id", "编号", 7, "center"),
    Col("section", "所属部分", 18, "wrap"),
    Col("item", "督查内容", 30, "wrap"),
    Col("points", "分值", 6, "points"),
    Col("score", "得分", 6, "num"),
    Col("lost", "失分", 6, "num"),
    Col("note", "扣分说明（佐证材料）", 36, "wrap"),
    Col("fix", "整改措施", 30, "input"),
    Col("owner", "责任人", 10, "input"),
    Col("deadline", "整改时限", 12, "input"),
    Col("fix_status", "整改状态", 10, "input", status=True),
    Col("ledger_state", "台账状态", 16, "wrap"),  # what became of a row typed into (aggregate/ledger.py)
)


def ledger_sheet(ws: Worksheet, F: Formats, t: ag.Tables, terms: ag.Terms) -> None:
    own = ledger_sheet_columns(terms.unit)
    known = {*ag.LEDGER_COLUMNS, *(c.key for c in own)}  # then the columns people added
    cols = [*own, *(Col(k, k, 16, "input") for k in t.ledger.columns if k not in known)]
    title(
        ws,
        F,
        "问题台账（自评扣分项）",
        "每个扣分项一行。黄底四列（整改措施、责任人、整改时限、整改状态）由组织部跟踪填写；"
        f"整改状态可填“{' / '.join(FIX_STATES)}”。再次汇总时已填写的内容自动带入；"
        "对应的扣分已不存在的行仍保留，并在“台账状态”中注明。",
        len(cols),
    )
    table(ws, F, t.ledger, cols, freeze_cols=3, header_height=30)


def tasks_note(catalog: Catalog) -> str:
    """任务清单汇总's explanation: the rate as the catalog's statuses make it."""
    na = f"，不计“{catalog.na_status}”" if catalog.na_status else ""
    return (
        f"完成率 = {ag.rate_formula(catalog)}{na}。有未填或无效状态的{catalog.form2.attachment}为“暂计”，"
        "须更正后才计算完成率，也不计入第3行各项任务的全校完成率。任务全文见“任务清单明细”。"
    )


def tasks_sheet(ws: Worksheet, F: Formats, t: ag.Tables, catalog: Catalog) -> None:
    meta = [
        Col("seq", "序号", 6, "int"),
        Col("branch", catalog.unit, 24),
        Col("status", catalog.form2.attachment, 14, "wrap", status=True),
        Col("rate", "完成率", 8, "pct"),
        *(
            Col(c.key, c.header, 6 if c.role == ag.ROLE_BLANK else 7, "int")
            for c in ag.status_columns(catalog)
        ),
    ]
    cols = [
        *meta,
        *(Col(tk.id, f"{tk.id} {ag.short_text(tk.text, 18)}", 10, "center") for tk in catalog.tasks),
    ]
    title(ws, F, f"重点任务清单汇总（{len(catalog.tasks)}项任务完成状态）", tasks_note(catalog), len(cols))
    rate_row, header_row = 2, 3
    k = len(meta)
    ws.merge_range(rate_row, 0, rate_row, k - 1, "", F.label)
    ws.write_string(rate_row, 0, "各项任务全校完成率 →", F.label)
    pct = F.by_kind["pct"]
    for j, rate in enumerate(t.task_rates["rate"].tolist()):
        put(ws, rate_row, k + j, rate, pct)
    first, last = table(ws, F, t.tasks, cols, header_row=header_row, freeze_cols=2, header_height=72)
    statuses = t.tasks[[c.key for c in cols[k:]]].to_numpy().ravel().tolist()
    colour_rules(ws, F, first, k, last, len(cols) - 1, statuses)
    rate = col_index(cols, "rate")
    for r1, c1, r2, c2 in ((rate_row, k, rate_row, len(cols) - 1), (first, rate, last, rate)):
        if r2 >= r1:
            ws.conditional_format(r1, c1, r2, c2, RATE_SCALE)
    print_setup(ws, rate_row, header_row)
    ws.fit_to_pages(2, 0)
    ws.repeat_columns(0, 1)


def task_details_sheet(ws: Worksheet, F: Formats, t: ag.Tables, catalog: Catalog) -> None:
    text = {tk.id: ag.short_text(tk.text, 60) for tk in catalog.tasks}
    df = t.task_details.assign(task=t.task_details["task_id"].map(text))
    cols = [
        Col("seq", "序号", 6, "int"),
        Col("branch", catalog.unit, 18, "wrap"),
        Col("task_id", "编号", 6, "center"),
        Col("group", "类别", 16, "wrap"),
        Col("task", "重点工作任务", 34, "wrap"),
        Col("status", "完成状态", 9, "center", status=True),
        Col("done", "完成情况（做法及佐证材料）", 44, "wrap"),
        Col("issues", "存在问题及整改措施", 40, "wrap"),
    ]
    unit = catalog.unit
    title(ws, F, f"重点任务清单明细（各{unit}填报内容）", f"每个{unit}每项任务一行，按名单顺序。", len(cols))
    table(ws, F, df, cols, freeze_cols=3, header_height=30)


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
        len(cols),
    )
    ws.set_row(1, 44)
    table(ws, F, t.submissions, cols, freeze_cols=2, header_height=30)


def files_sheet(ws: Worksheet, F: Formats, t: ag.Tables, unit: str) -> None:
    cols = [
        Col("path", "文件", 44, "wrap"),
        Col("kind", "类型", 16),
        Col("branch", unit, 22),
        Col("outcome", "处理结果", 15, "center", status=True),
        Col("claimant", "身份存疑：另一方", 22),
        Col("reason", "原因", 36, "wrap"),
        Col("errors", "错误数", 7, "int"),
        Col("warnings", "警告数", 7, "int"),
        Col("size", "大小（字节）", 12, "bytes"),
        Col("saved_at", "保存时间", 18),
        Col("sha256", "SHA-256", 66, "mono"),
    ]
    title(
        ws,
        F,
        "文件清单（收到的每一个文件）",
        f"每个文件只属于一种处理结果；身份存疑的文件列在最前（“{unit}”为表格内的{unit}，“另一方”为文件名、"
        f"文件夹名或填写内容指向的{unit}），不计入任何一方。SHA-256 可用于核对文件是否相同。",
        len(cols),
    )
    table(ws, F, t.files, cols, freeze_cols=1, header_height=20)


def problems_sheet(ws: Worksheet, F: Formats, t: ag.Tables, unit: str) -> None:
    df = t.problems.assign(field_label=[field_label(v, unit) for v in t.problems["field"].tolist()])
    cols = [
        Col("file", "文件", 36, "wrap"),
        Col("outcome", "文件处理结果", 14, "wrap", status=True),
        Col("branch", unit, 20),
        Col("sheet", "工作表", 12),
        Col("cell", "单元格", 8, "center"),
        Col("field_label", "内容", 12),
        Col("severity", "级别", 6, "center", status=True),
        Col("message", "问题说明", 56, "wrap"),
        Col("value", "填写的内容", 24, "wrap"),
        Col("code", "代码", 18),
    ]
    title(
        ws,
        F,
        "校验问题（逐个单元格）",
        f"身份存疑的文件列在最前：无法确定是哪个{unit}交回的，不计入任何一方，请先核实。"
        "错误须修改后重新报送；警告不影响接收，请核对。“文件处理结果”为“已被新版本替代”的文件，"
        "其问题已由后来交回的文件取代，仅供备查。",
        len(cols),
    )
    table(ws, F, df, cols, freeze_cols=1, header_height=20)
