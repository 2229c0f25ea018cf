"""The summary workbook and the exports, read back from disk (openpyxl, zip, csv, json)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import require_office
from pypdf import PdfReader
from synthetic import (
    GENERATED_AT,
    INJECTIONS,
    SCENARIO_SCORES,
    campaign_with,
    expected_total,
    form1,
    large_report,
    problem,
    report,
    scenario,
)

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.models import Campaign, Outcome, Report, Severity
from dangjian_xlsx.summary import (
    EXCEL_MAX_CHARS,
    FIX_STATES,
    OUTCOME_TONES,
    PALETTE,
    SEVERITY_TONES,
    SHEETS,
    STATUS_COLOURS,
    TRUNCATED,
    csv_bytes,
    csv_cell,
    csv_frame,
    json_records,
    py,
    status_colours,
    summary_path,
    task_tones,
    write_exports,
    write_summary,
)
from dangjian_xlsx.summary import exports as export  # json_chunks is replaced by a failing one below
from dangjian_xlsx.summary import sheets as summary_sheets  # ledger_sheet is replaced by a failing one below

SHEET_NAMES = [
    "总览",
    "得分汇总",
    "得分明细",
    "失分分析",
    "问题台账",
    "任务清单汇总",
    "任务清单明细",
    "提交情况",
    "文件清单",
    "校验问题",
]
BOM = b"\xef\xbb\xbf"

# openpyxl does not read Excel 2010 data-bar extensions; the rules themselves are checked below.
pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")


DOUBT_PATH = "11_马克思主义学院党总支_附件1_评分表.xlsx"


def with_doubt(rep: Report) -> Report:
    """The scenario plus rule 1's case: 马克思主义学院 (11) returned 文学院's (1) form under its own file name,
    with other scores; collect held it 身份存疑 (counted for nobody)."""
    camp = rep.campaign
    b1, b11 = camp.roster[0], camp.roster[10]
    doubt = form1(camp, b1, {"S01.1": 0, "S02.1": 0}, outcome=Outcome.IDENTITY_DOUBT, path=DOUBT_PATH)
    doubt = doubt.model_copy(
        update={
            "claimant": b11,
            "problems": [problem(DOUBT_PATH, "identity-doubt", message="身份存疑：两方")],
        }
    )
    return rep.model_copy(update={"files": [*rep.files, doubt]})


@pytest.fixture(scope="module")
def rep(campaign: Campaign) -> Report:
    return with_doubt(scenario(campaign))


def write(rep: Report, out: Path) -> list[Path]:
    """The summary workbook at `out` (see summary_path), then its exports beside it."""
    tables, ov = ag.tables_and_overview(rep)
    path = summary_path(out)
    at = rep.generated_at
    return [
        write_summary(tables, ov, path, rep.campaign, at),
        *write_exports(tables, ov, path, rep.campaign, at),
    ]


@pytest.fixture(scope="module")
def written(rep: Report, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write(rep, tmp_path_factory.mktemp("out") / "汇总表.xlsx")


@pytest.fixture(scope="module")
def xlsx(written: list[Path]) -> Path:
    return written[0]


@pytest.fixture(scope="module")
def wb(xlsx: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(xlsx)


def header_map(ws, header_row: int) -> dict[str, int]:
    return {c.value: c.column for c in ws[header_row] if c.value is not None}


def data_rows(ws, header_row: int) -> list[tuple]:
    return [
        r for r in ws.iter_rows(min_row=header_row + 1, values_only=True) if any(v is not None for v in r)
    ]


# ---------------------------------------------------------------- files and sheets


def test_outputs_beside_the_summary(written: list[Path]) -> None:
    names = [p.name for p in written]
    assert names == [
        "汇总表.xlsx",
        "汇总表_得分.csv",
        "汇总表_任务.csv",
        "汇总表_问题.csv",
        "汇总表_文件.csv",
        "汇总表.json",
    ]
    assert all(p.parent == written[0].parent and p.stat().st_size > 0 for p in written)


def test_sheet_names(wb: openpyxl.Workbook) -> None:
    assert wb.sheetnames == SHEET_NAMES == list(SHEETS)
    assert all(len(n) <= 31 for n in wb.sheetnames)
    assert wb.active.title == "总览"


def test_created_date_is_pinned(wb: openpyxl.Workbook) -> None:
    assert wb.properties.created == GENERATED_AT


def test_scores_sheet_totals_and_ranks(campaign: Campaign, wb: openpyxl.Workbook) -> None:
    ws = wb["得分汇总"]
    h = header_map(ws, 3)
    rows = data_rows(ws, 3)
    assert len(rows) == 20
    got = {r[h["序号"] - 1]: (r[h["自评总分"] - 1], r[h["自评排名"] - 1], r[h["状态"] - 1]) for r in rows}
    for seq, entered in SCENARIO_SCORES.items():
        assert got[seq][0] == pytest.approx(expected_total(campaign, entered))
    assert [got[s][1] for s in (2, 3, 1)] == [1, 1, 3]
    assert got[4][1:] == (None, "暂计（待更正，2 处问题）")  # shown after the ranked, not ranked
    assert [r[h["序号"] - 1] for r in rows[:4]] == [2, 3, 1, 4]
    assert got[5] == (None, None, "需修改") and got[6] == (None, None, "未交")
    assert got[11] == (None, None, "身份存疑")  # its only file is held in doubt
    sections = [c for c in h if isinstance(c, str) and c.startswith(("一、", "十二、"))]
    assert len(sections) == 2
    assert ws.cell(4, h["自评总分"]).number_format == "0.0"


def test_item_details_sheet(campaign: Campaign, wb: openpyxl.Workbook) -> None:
    ws = wb["得分明细"]
    h = {str(c.value).split("\n")[0]: c.column for c in ws[4] if c.value is not None}
    assert all(i.id in h for i in campaign.catalog.items)
    rows = {r[0]: r for r in data_rows(ws, 4)}
    assert rows[4][h["S05.1"] - 1] is None and rows[4][h["S06.1"] - 1] == 1
    assert rows[1][h["S01.1"] - 1] == 1 and rows[1][h["S01.2"] - 1] == 2
    assert ws.freeze_panes == "C5"


def test_every_table_is_filtered_frozen_and_printable(wb: openpyxl.Workbook) -> None:
    for name in SHEET_NAMES:
        ws = wb[name]
        assert ws.auto_filter.ref, name
        assert ws.page_setup.orientation == "landscape", name
        assert ws.page_setup.paperSize == 9, name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws.print_title_rows, name
        if name != "总览":
            assert ws.freeze_panes is not None, name


def test_conditional_colours(wb: openpyxl.Workbook) -> None:
    def rule_types(name: str) -> set[str]:
        return {r.type for cf in wb[name].conditional_formatting for r in cf.rules}

    assert "colorScale" in rule_types("得分汇总")
    assert "dataBar" in rule_types("失分分析")
    for name in ("提交情况", "任务清单汇总", "任务清单明细", "文件清单", "校验问题", "得分汇总"):
        assert "cellIs" in rule_types(name), name
    formulas = {
        f
        for cf in wb["提交情况"].conditional_formatting
        for r in cf.rules
        if r.type == "cellIs"
        for f in r.formula
    }
    assert {'"未交"', '"需退回修改"', '"有警告"', '"已交"'} <= formulas


def test_charts_reference_the_tables(xlsx: Path) -> None:
    with zipfile.ZipFile(xlsx) as z:
        charts = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        assert len(charts) == 2
        text = "".join(z.read(n).decode() for n in charts)
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
    assert "drawing" in rels  # the charts sit on 总览 (the first sheet)
    assert "得分汇总!$C$4:$C$6" in text and "得分汇总!$D$4:$D$6" in text  # the 3 ranked branches (not 暂计)
    assert re.search(r"总览!\$[A-Z]+\$\d+:\$[A-Z]+\$\d+", text)  # section rates


def column_letters(ws, header_row: int) -> dict[str, str]:
    """Header text → column letter, for a sheet's header row."""
    return {c.value: c.column_letter for c in ws[header_row] if c.value is not None}


def test_charts_read_the_columns_their_headers_name(xlsx: Path, wb: openpyxl.Workbook) -> None:
    """The charts take their columns from the sheets' column lists: the ranges they read are under the
    headers that name them, whatever position those columns have."""
    with zipfile.ZipFile(xlsx) as z:
        text = "".join(
            z.read(n).decode() for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)
        )
    scores = column_letters(wb["得分汇总"], 3)
    for header in ("党总支", "自评总分"):
        col = scores[header]
        assert f"得分汇总!${col}$4:${col}$6" in text, header
    ws = wb["总览"]
    header_row = next(c.row for row in ws.iter_rows() for c in row if c.value == "部分")
    sections = column_letters(ws, header_row)
    for header in ("部分", "得分率"):
        col = sections[header]
        assert f"总览!${col}${header_row + 1}:${col}${header_row + 12}" in text, header


def rule_columns(ws, rule_type: str, header_row: int = 3) -> set[str]:
    """The header of every column a conditional format of this type covers."""
    headers = column_letters(ws, header_row)
    by_letter = {letter: h for h, letter in headers.items() if isinstance(h, str)}
    out = set()
    for cf in ws.conditional_formatting:
        if any(r.type == rule_type for r in cf.rules):
            for cells in cf.sqref.ranges:
                for col in range(cells.min_col, cells.max_col + 1):
                    out.add(by_letter.get(openpyxl.utils.get_column_letter(col), "?"))
    return out


def test_conditional_formats_sit_on_the_columns_they_are_for(wb: openpyxl.Workbook) -> None:
    assert rule_columns(wb["得分汇总"], "colorScale") == {"自评总分"}
    scale = next(cf for cf in wb["得分汇总"].conditional_formatting if cf.rules[0].type == "colorScale")
    total = column_letters(wb["得分汇总"], 3)["自评总分"]
    assert str(scale.sqref) == f"{total}4:{total}6"  # the ranked rows only, not the 暂计 one
    sections = {h for h in column_letters(wb["得分汇总"], 3) if isinstance(h, str) and "、" in h}
    assert rule_columns(wb["得分汇总"], "cellIs") == {"状态", *sections}
    assert rule_columns(wb["失分分析"], "dataBar") == {"失分合计", "平均失分率"}
    assert "完成率" in rule_columns(wb["任务清单汇总"], "colorScale", header_row=4)


# ---------------------------------------------------------------- status colours


def test_every_outcome_and_severity_has_a_colour(campaign: Campaign) -> None:
    """Adding an Outcome or a Severity without a tone fails here (the summary would leave it uncoloured)."""
    assert set(OUTCOME_TONES) == set(Outcome)
    assert set(SEVERITY_TONES) == set(Severity)
    statuses = campaign.catalog.statuses
    assert set(task_tones(campaign.catalog)) == set(statuses)
    colours = status_colours(campaign.catalog)
    for word in [*(o.value for o in Outcome), *(s.value for s in Severity), *statuses, *FIX_STATES]:
        assert colours[word] in PALETTE, word
    for word in (ag.SUB_OK, ag.SUB_WARN, ag.SUB_FIX, ag.SUB_MISSING, ag.SUB_DOUBT, ag.SCORE_OK, ag.SCORE_FIX,
                 ag.SCORE_DOUBT, *ag.SUBMIT_WORDS, *ag.QUALITY_WORDS):  # fmt: skip
        assert STATUS_COLOURS[word] in PALETTE, word
    assert STATUS_COLOURS[Outcome.NEEDS_FIX.value] == STATUS_COLOURS[Severity.ERROR.value] == "red"


def test_status_words_are_coloured_as_the_enums_say(wb: openpyxl.Workbook) -> None:
    """The rules on 文件清单 and 校验问题 compare cells with the enums' current values."""

    def words(name: str) -> set[str]:
        return {
            f.strip('"')
            for cf in wb[name].conditional_formatting
            for r in cf.rules
            if r.type == "cellIs"
            for f in r.formula
        }

    assert {o.value for o in Outcome} <= words("文件清单")
    assert {s.value for s in Severity} <= words("校验问题")


def overview_values(ws) -> dict[str, object]:
    """总览's count lines: label → value (the cell to its right), in every column headed 项目, above the section
    table (五、) or the sheets' guide (六、)."""
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    out = {}
    for c in sorted({c for r in rows for c, v in enumerate(r) if v == "项目"}):
        for r in rows:
            if isinstance(r[c], str) and r[c].startswith(("五、", "六、")):
                break
            if isinstance(r[c], str):
                out[r[c]] = r[c + 1]
    return out


def test_overview_sheet_counts(wb: openpyxl.Workbook, rep: Report) -> None:
    ws = wb["总览"]
    values = overview_values(ws)
    ov = ag.overview(rep)
    assert values["应交党总支"] == ov.expected == 20
    assert (values["已交齐（含自查报告）"], values["部分未交"], values["全部未交"]) == (1, 5, 14)
    assert (values["合格"], values["需修改"], values["身份存疑"], values["未收到"]) == (2, 2, 2, 14)
    assert values["全校平均分（自评）"] == pytest.approx(ov.school_average)
    assert (values["最高分（自评）"], values["最低分（自评）"]) == (97.5, 97)  # not 暂计 branch 4's 93
    outcomes = (
        "已接收",
        "已接收（有警告）",
        "已接收（需修改）",
        "自查报告",
        "退回",
        "身份存疑的文件",
        "已被新版本替代",
        "已忽略",
    )
    assert values["文件总数"] == sum(values[k] for k in (*outcomes, "非表格文件")) == len(rep.files)
    assert "2018-10-08 09:30" in ws["A2"].value
    # the same words and numbers as the CLI's closing table
    for label, value in ov.rows():
        if value == "":
            continue  # a heading
        shown = values[label]
        if isinstance(value, str):  # a score, shown with one decimal, or "—"
            shown = "—" if shown is None else f"{shown:.1f}"
        assert shown == value, label


def test_problems_are_named_in_chinese_and_branches_have_their_contacts(
    wb: openpyxl.Workbook, rep: Report
) -> None:
    """校验问题 names each problem's kind in Chinese (no code strings); 提交情况 carries the roster's 联系人 and
    邮箱 beside each branch, for chasing it."""
    ws = wb["校验问题"]
    h = header_map(ws, 3)
    assert "问题类别" in h and "代码" not in h
    codes = [p.code for f in rep.files for p in f.problems]
    shown = [r[h["问题类别"] - 1] for r in data_rows(ws, 3)]
    assert len(shown) == len(codes) > 0
    assert all(v and re.search(r"[\u4e00-\u9fff]", v) and "其他" not in v for v in shown), shown
    every_cell = {str(v) for r in data_rows(ws, 3) for v in r if v is not None}
    assert not set(codes) & every_cell  # no 'score-blank' anywhere
    # items named as the forms show them (第一部分第2项), as the notices name them — not S01.2 / T05
    said = [str(r[h[k] - 1] or "") for r in data_rows(ws, 3) for k in ("问题说明", "内容")]
    assert not [v for v in said if re.search(r"(?<![A-Za-z0-9])(S\d{2}\.\d+|T\d{2})(?!\d)", v)]
    ws = wb["提交情况"]
    h = header_map(ws, 3)
    rows = {r[h[rep.campaign.catalog.unit] - 1]: r for r in data_rows(ws, 3)}
    for b in rep.campaign.roster:
        assert (rows[b.name][h["联系人"] - 1] or "", rows[b.name][h["邮箱"] - 1] or "") == (
            b.contact,
            b.email,
        )
    assert any(b.email for b in rep.campaign.roster)


def test_problem_messages_name_items_as_the_forms_do(rep: Report, tmp_path: Path) -> None:
    """校验问题 says 第一部分第2项 and 第5项任务 where the message names S01.2 or T05 (what a branch typed,
    quoted, is left as it is)."""
    f = rep.files[0]
    said = problem(
        f.path,
        "score-out-of-range",
        message="S01.2（坚持…）本项满分2分，填写的是“S01.2”",
        field="S01.2 自评得分",
    )
    said2 = problem(f.path, "status-blank", message="T05（建立…）未选择完成状态", field="T05 完成状态")
    changed = rep.model_copy(
        update={"files": [f.model_copy(update={"problems": [said, said2]}), *rep.files[1:]]}
    )
    ws = openpyxl.load_workbook(write(changed, tmp_path / "汇总表.xlsx")[0])["校验问题"]
    h = header_map(ws, 3)
    rows = [(r[h["内容"] - 1], r[h["问题说明"] - 1]) for r in data_rows(ws, 3)]
    assert [r for r in rows if "（坚持…）" in r[1] or "（建立…）" in r[1]] == [
        ("第一部分第2项的自评得分", "第一部分第2项（坚持…）本项满分2分，填写的是“S01.2”"),
        ("第5项任务的完成状态", "第5项任务（建立…）未选择完成状态"),
    ]


def test_ledger_rows_and_empty_columns(wb: openpyxl.Workbook, rep: Report) -> None:
    ws = wb["问题台账"]
    h = header_map(ws, 3)
    rows = data_rows(ws, 3)
    assert len(rows) == len(ag.build_tables(rep).ledger) == 7
    for col in ("整改措施", "责任人", "整改时限", "整改状态"):
        assert col in h
        assert all(r[h[col] - 1] is None for r in rows)
    assert {r[h["编号"] - 1] for r in rows} >= {"S01.1", "S02.1", "S06.1"}


def test_submission_text_is_never_a_formula(wb: openpyxl.Workbook, xlsx: Path) -> None:
    ws = wb["问题台账"]
    cells = {c.value: c for row in ws.iter_rows(min_row=4) for c in row if isinstance(c.value, str)}
    for text in INJECTIONS:
        assert text in cells, text
        assert cells[text].data_type == "s"
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate, c.value)
    with zipfile.ZipFile(xlsx) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/sheet"):
                assert "<f>" not in z.read(n).decode(), n


# ---------------------------------------------------------------- exports


def read_csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(data[len(BOM) :].decode("utf-8"))))


def test_csv_is_tidy_with_bom_and_neutralised(written: list[Path]) -> None:
    scores = read_csv(written[1])
    assert len(scores) == 4 * 44
    assert list(scores[0]) == [
        "序号",
        "党总支编号",
        "党总支",
        "状态",
        "编号",
        "所属部分编号",
        "分值",
        "自评得分",
        "失分",
        "扣分说明（佐证材料）",
        "计入统计",
    ]
    notes = {(r["党总支编号"], r["编号"]): r["扣分说明（佐证材料）"] for r in scores}
    assert notes[("01", "S01.1")] == "'" + INJECTIONS[0]
    assert notes[("01", "S02.1")] == "'@SUM(1)"
    assert notes[("02", "S03.1")] == "'+1"
    assert notes[("03", "S04.1")] == "'-2+3"
    row = next(r for r in scores if (r["党总支编号"], r["编号"]) == ("03", "S04.1"))
    assert (row["分值"], row["自评得分"], row["失分"], row["所属部分编号"]) == ("2", "1.5", "0.5", "S04")
    blank = next(r for r in scores if (r["党总支编号"], r["编号"]) == ("04", "S05.1"))
    assert (blank["自评得分"], blank["失分"], blank["状态"]) == ("", "", "暂计（待更正，2 处问题）")
    assert {r["计入统计"] for r in scores if r["党总支编号"] == "04"} == {"0"}
    assert {r["计入统计"] for r in scores if r["党总支编号"] == "01"} == {"1"}
    tasks = read_csv(written[2])
    assert len(tasks) == 80 and {r["编号"] for r in tasks} == {f"T{i:02d}" for i in range(1, 21)}
    assert {"序号", "党总支", "完成状态", "完成情况（做法及佐证材料）", "存在问题及整改措施"} <= set(tasks[0])
    problems = read_csv(written[3])
    assert any(r["填写的内容"] == "'=1+1" for r in problems)
    files = read_csv(written[4])
    assert len(files) == 16 and all(len(r["校验码"]) == 64 for r in files)
    first = files[0]
    assert (first["文件"], first["处理结果"], first["党总支"], first["身份存疑：另一方"]) == (
        DOUBT_PATH,
        "身份存疑",
        "文学院党总支",
        "马克思主义学院党总支",
    )  # first: held in doubt, with both names


ASCII_LETTER = re.compile("[A-Za-z]")


def test_csv_headers_are_chinese_and_problems_name_their_kind(written: list[Path]) -> None:
    """A clerk opening the CSV files in Excel reads Chinese headers (the summary sheets' words); the problems
    keep their stable code (问题代码) and say its Chinese name beside it (问题类别)."""
    for path in written[1:5]:
        header = next(csv.reader(io.StringIO(path.read_bytes()[len(BOM) :].decode("utf-8"))))
        assert header and len(set(header)) == len(header), (path.name, header)
        assert not [h for h in header if ASCII_LETTER.search(h)], (path.name, header)
    problems = read_csv(written[3])
    assert problems
    for r in problems:
        assert r["问题类别"] and not ASCII_LETTER.search(r["问题类别"]), r
        assert r["问题代码"] and r["问题代码"].isascii(), r  # the code stays the key programs join on
    doubt = next(r for r in problems if r["文件"] == DOUBT_PATH)
    assert (doubt["问题代码"], doubt["问题类别"], doubt["级别"]) == ("identity-doubt", "身份存疑", "错误")
    header = list(problems[0])
    assert header.index("问题类别") == header.index("问题代码") + 1


def test_csv_cell_rules() -> None:
    assert csv_cell(-2.5) == "-2.5"
    assert csv_cell(-2) == "-2"
    assert csv_cell(2.0) == "2"
    assert csv_cell("-2") == "'-2"
    assert csv_cell("\tx") == "'\tx"
    assert csv_cell("\rx") == "'\rx"
    assert csv_cell("a=b") == "a=b"
    assert csv_cell(None) == "" and csv_cell(float("nan")) == ""


TRICKY_CELLS = ["a,b", 'q"uote', "line\nbreak", "cr\rx", "=1+1", "-2", "", "普通", " sp ", "%s", "\\", 1.5, 2.0, 0.0,
                -0.0, -2.5, float("nan"), float("inf"), None, 7, 10**17, True, False, pd.NA, np.int64(3), np.float64(0.25)]  # fmt: skip


def tricky_frame() -> pd.DataFrame:
    n = len(TRICKY_CELLS)
    return pd.DataFrame(
        {
            "mixed": TRICKY_CELLS,
            "text": [v if isinstance(v, str) else "x" for v in TRICKY_CELLS],
            "float": [[0.0, -0.0, 1.5, float("nan"), 0.1 + 0.2][i % 5] for i in range(n)],
            "int": [[0, -3, 10**15][i % 3] for i in range(n)],
            "Int64": pd.array([[1, None][i % 2] for i in range(n)], dtype="Int64"),
        }
    )


def test_csv_frame_is_what_csv_writer_writes() -> None:
    df = tricky_frame()
    for columns in (list(df.columns), ["text"], ["mixed"]):
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(columns)
        w.writerows([csv_cell(v) for v in r] for r in ag.rows(df, columns))
        assert csv_frame(df, columns) == out.getvalue().encode("utf-8-sig")
        assert csv_frame(df.iloc[:0], columns) == csv_bytes(columns, [])


def test_json_records_are_what_json_dumps_writes() -> None:
    df = tricky_frame()
    columns = list(df.columns)
    records = [{c: py(v) for c, v in zip(columns, r, strict=True)} for r in ag.rows(df, columns)]
    expected = json.dumps(records, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    assert "".join(json_records(df, columns)) == expected
    assert "".join(json_records(df.iloc[:0], columns)) == "[]"


def test_json_matches_tables(written: list[Path], rep: Report) -> None:
    doc = json.loads(written[5].read_text("utf-8"))
    t = ag.build_tables(rep)
    assert doc["generated_at"] == GENERATED_AT.isoformat()
    assert doc["overview"]["files_total"] == 16 and doc["overview"]["expected"] == 20
    scores = {s["branch_id"]: s for s in doc["scores"]}
    assert [s["branch_id"] for s in doc["scores"]] == t.scores["branch_id"].tolist()
    assert (scores["02"]["rank"], scores["02"]["total"]) == (1, 97.5)
    assert scores["06"]["total"] is None and scores["06"]["items"] == []
    assert len(scores["01"]["items"]) == 44 and scores["01"]["sections"]["S01"] == 11
    assert next(i for i in scores["01"]["items"] if i["item_id"] == "S01.1")["note"] == INJECTIONS[0]
    assert len(doc["problems"]) == len(t.problems) and len(doc["files"]) == 16
    assert sum(len(b["answers"]) for b in doc["tasks"]) == 80
    raw = written[5].read_text("utf-8")
    assert raw == json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


# ---------------------------------------------------------------- determinism, atomicity, limits


def test_writing_twice_is_byte_identical(rep: Report, written: list[Path], tmp_path: Path) -> None:
    again = write(rep, tmp_path / "汇总表.xlsx")
    for a, b in zip(written, again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    w1 = openpyxl.load_workbook(written[0], read_only=True)
    w2 = openpyxl.load_workbook(again[0], read_only=True)
    for name in ("得分汇总", "问题台账"):
        assert list(w1[name].values) == list(w2[name].values)


def test_failed_write_keeps_the_previous_summary(
    rep: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "汇总表.xlsx"
    write(rep, out)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(summary_sheets, "ledger_sheet", boom)
    with pytest.raises(RuntimeError):
        write(rep, out)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # intact, no temp file left


def test_failed_export_replaces_no_export(
    rep: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The JSON is built last: when building it fails, the CSV files already written to their temporary
    files do not replace the previous ones (the summary workbook, written first, is the new one)."""
    out = tmp_path / "汇总表.xlsx"
    write(rep, out)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix != ".xlsx"}
    (tmp_path / "汇总表_得分.csv").write_bytes(b"previous")
    before["汇总表_得分.csv"] = b"previous"

    def broken(*args: object, **kwargs: object) -> Iterator[bytes]:
        yield b"{"
        raise RuntimeError("bug while building the JSON")

    monkeypatch.setattr(export, "json_chunks", broken)
    with pytest.raises(RuntimeError):
        write(rep, out)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix != ".xlsx"} == before


def test_failed_rename_leaves_no_temp_file(
    rep: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "汇总表.xlsx"
    out.write_bytes(b"previous")

    def fail(*args: object) -> None:
        raise OSError("rename failed")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write(rep, out)
    assert [p.name for p in tmp_path.iterdir()] == ["汇总表.xlsx"]
    assert out.read_bytes() == b"previous"


def test_overlong_text_is_truncated_with_a_marker(campaign: Campaign, tmp_path: Path) -> None:
    camp = campaign_with(campaign, 1)
    long_note = "很长的说明" * 9000  # 45,000 characters
    rep = report(camp, [form1(camp, camp.roster[0], {"S01.1": 1}, {"S01.1": long_note})])
    out = write(rep, tmp_path / "汇总表.xlsx")
    ws = openpyxl.load_workbook(out[0])["问题台账"]
    note = next(c.value for c in ws[4] if isinstance(c.value, str) and c.value.startswith("很长"))
    assert len(note) == EXCEL_MAX_CHARS and note.endswith(TRUNCATED)
    assert read_csv(out[1])[0]["扣分说明（佐证材料）"] == long_note  # the exports keep the full text


def test_empty_report_still_writes_a_summary(campaign: Campaign, tmp_path: Path) -> None:
    out = write(report(campaign, []), tmp_path / "汇总表.xlsx")
    wb = openpyxl.load_workbook(out[0])
    assert wb.sheetnames == SHEET_NAMES
    assert len(data_rows(wb["提交情况"], 3)) == 20
    with zipfile.ZipFile(out[0]) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/charts/")]
    assert read_csv(out[1]) == []


def test_output_path_without_suffix_or_a_folder(campaign: Campaign, tmp_path: Path) -> None:
    rep = report(campaign, [])
    assert write(rep, tmp_path / "结果")[0].name == "结果.xlsx"
    assert write(rep, tmp_path)[0] == tmp_path / "汇总表.xlsx"


def test_large_report(campaign: Campaign, tmp_path: Path) -> None:
    """500 branches / 1,000 files: every branch charted and listed (not timed: see `make bench`)."""
    rep = large_report(campaign, 500)
    out = write(rep, tmp_path / "汇总表.xlsx")
    with zipfile.ZipFile(out[0]) as z:
        text = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart"))
    n = int(ag.build_tables(rep).scores["counted"].sum())  # the complete valid 附件1 (about 90 %)
    assert 400 < n < 500 and f"得分汇总!$C$4:$C${3 + n}" in text
    assert len(read_csv(out[4])) == 1000


# ---------------------------------------------------------------- LibreOffice


@pytest.mark.office
def test_libreoffice_opens_the_summary(xlsx: Path, tmp_path: Path) -> None:
    require_office()
    profile = Path(f"/tmp/lo_{uuid.uuid4().hex}")
    try:
        proc = subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(xlsx),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = tmp_path / "汇总表.pdf"
    assert proc.returncode == 0, proc.stderr
    assert pdf.exists(), proc.stdout + proc.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    pages = PdfReader(pdf).pages
    assert len(pages) > len(SHEET_NAMES)  # every sheet printed, some on several pages
    text = "".join(p.extract_text() for p in pages[:3])
    assert "应交党总支" in text and "得分汇总" in text
