"""表格内容.xlsx: the built-in forms written and read back unchanged; a second set of forms that is not 2018's,
pasted as a merged-cell table (openpyxl, and once through LibreOffice); every problem named by sheet and row."""

from __future__ import annotations

import copy
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import require_office
from other_forms import EXPECTED, STATUSES, UNIT, sheets, write_fods, write_xlsx

from dangjian_xlsx.catalog import (
    FORMS_FILE,
    catalog_digest,
    check_forms,
    forms_workbook,
    load_campaign,
    load_catalog,
    read_forms,
)
from dangjian_xlsx.errors import ConfigError
from dangjian_xlsx.models import Catalog

Book = dict[str, tuple[list[list[Any]], list[tuple[int, int, int, int]]]]


# ---------------------------------------------------------------- the built-in forms, round trip


def test_builtin_forms_round_trip(tmp_path: Path, catalog: Catalog) -> None:
    data = forms_workbook(catalog)
    assert data == forms_workbook(catalog)  # reproducible bytes
    path = tmp_path / FORMS_FILE
    path.write_bytes(data)
    back = read_forms(path)
    assert back == catalog
    assert catalog_digest(back) == catalog_digest(catalog)


def test_written_workbook_looks_like_the_notice(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / FORMS_FILE
    path.write_bytes(forms_workbook(catalog))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["附件1", "附件2", "设置"]
    ws = wb["附件1"]
    assert ws["A1"].value == "{学校}全面从严治党主体责任落实情况专项督查评分表"
    assert [c.value for c in ws[2]] == ["序号", "项目", "督查内容及方式", "分值"]
    assert (ws["A3"].value, ws["B3"].value, ws["D3"].value) == ("一", "领导班子主体责任落实情况（12分）", 2)
    assert "A3:A7" in {str(r) for r in ws.merged_cells.ranges}  # 一 spans its five items
    assert "A3:A6" in {str(r) for r in wb["附件2"].merged_cells.ranges}
    settings = {r[0]: r[1] for r in wb["设置"].iter_rows(values_only=True) if r[0]}
    assert settings["完成状态"] == "已完成、持续推进、未完成、不适用" and settings["填报单位"] == "党总支"


def test_check_outline_of_the_builtin_forms(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / FORMS_FILE
    path.write_bytes(forms_workbook(catalog))
    check = check_forms(path)
    assert check.problems == () and check.catalog == catalog
    assert "  一、领导班子主体责任落实情况：5 项，12 分" in check.outline
    assert "  共 12 个部分、44 项，总分 100 分" in check.outline
    assert "  共 5 类、20 项任务" in check.outline


def test_campaign_reads_its_forms_workbook(tmp_path: Path, catalog: Catalog) -> None:
    write_xlsx(tmp_path / "内容.xlsx")
    (tmp_path / "c.toml").write_text('[campaign]\nschool = "黄河师范大学"\nforms = "内容.xlsx"\n', "utf-8")
    camp = load_campaign(tmp_path / "c.toml")
    assert camp.catalog.unit == UNIT and camp.catalog.total_points == 150
    # the campaign's catalog carries the titles as this round prints them
    assert camp.catalog.form1.title == "黄河师范大学2018年党支部标准化建设考核评分表"
    (tmp_path / "d.toml").write_text("[campaign]\nyear = 2019\n", "utf-8")
    d = load_campaign(tmp_path / "d.toml")
    assert d.catalog == catalog.for_round(d.school, 2019)  # no forms: the built-in ones


def test_campaign_with_a_bad_forms_workbook_is_a_config_error(tmp_path: Path) -> None:
    book = sheets()
    book["附件1"][0][5][3] = "两分"
    write_xlsx(tmp_path / FORMS_FILE, book)
    (tmp_path / "c.toml").write_text(f'[campaign]\nforms = "{FORMS_FILE}"\n', "utf-8")
    with pytest.raises(ConfigError) as exc:
        load_campaign(tmp_path / "c.toml")
    assert "工作表“附件1”第6行" in str(exc.value) and "forms check" in str(exc.value)
    (tmp_path / "c.toml").write_text('[campaign]\nforms = "没有.xlsx"\n', "utf-8")
    with pytest.raises(ConfigError, match="找不到表格内容文件"):
        load_campaign(tmp_path / "c.toml")
    (tmp_path / "c.toml").write_text("[campaign]\nforms = 3\n", "utf-8")
    with pytest.raises(ConfigError, match="表格内容"):
        load_campaign(tmp_path / "c.toml")


# ---------------------------------------------------------------- a second set of forms


def _assert_other_forms(cat: Catalog) -> None:
    assert [(s.numeral, s.name, s.max_points) for s in cat.sections] == EXPECTED["sections"]
    assert [i.points for i in cat.items] == EXPECTED["points"]
    assert cat.total_points == EXPECTED["total"]
    assert [(g.id, g.numeral, len(g.tasks)) for g in cat.form2.groups] == EXPECTED["groups"]
    assert (cat.form1.attachment, cat.form2.attachment) == EXPECTED["attachments"]
    assert (cat.statuses, cat.unit) == (STATUSES, UNIT)
    assert [t.id for t in cat.tasks] == [f"T0{n}" for n in range(1, 7)]
    assert [i.id for i in cat.sections[3].items] == ["S04.1"]  # a one-item section
    assert cat.item_by_id["S01.2"].text == "2.按期换届，\n选举程序规范。"  # inner line break kept
    assert cat.item_by_id["S01.3"].text == "3.支部委员分工明确。"  # trimmed
    assert cat.item_by_id["S03.1"].text.startswith("（1）") and cat.item_by_id["S02.1"].text.startswith("1．")
    assert [(e.id, e.corrected) for e in cat.errata] == [("S02.3", "民主评议")]
    assert cat.form1.title_for("某某大学", 2024) == "某某大学2024年党支部标准化建设考核评分表"
    assert catalog_digest(cat) != catalog_digest(load_catalog())


def test_other_forms_as_a_merged_cell_table(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / FORMS_FILE)
    assert openpyxl.load_workbook(path)["附件1"].merged_cells.ranges  # really merged
    _assert_other_forms(read_forms(path))


def test_other_forms_written_again_read_the_same(tmp_path: Path) -> None:
    cat = read_forms(write_xlsx(tmp_path / "a.xlsx"))
    (tmp_path / "b.xlsx").write_bytes(forms_workbook(cat))
    assert read_forms(tmp_path / "b.xlsx") == cat


def _soffice_convert(src: Path, out: Path) -> Path:
    profile = Path(f"/tmp/lo_{uuid.uuid4().hex}")
    try:
        done = subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", "xlsx", "--outdir", str(out), str(src)],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    result = out / (src.stem + ".xlsx")
    assert done.returncode == 0 and result.exists(), done.stdout + done.stderr
    return result


@pytest.mark.office
def test_other_forms_saved_by_libreoffice(tmp_path: Path) -> None:
    """The merged-cell table as LibreOffice saves it (spanned cells, line breaks as paragraphs)."""
    require_office()
    xlsx = _soffice_convert(write_fods(tmp_path / "表格内容.fods"), tmp_path / "out")
    assert openpyxl.load_workbook(xlsx)["附件1"].merged_cells.ranges
    _assert_other_forms(read_forms(xlsx))


@pytest.mark.office
def test_builtin_forms_saved_again_by_libreoffice(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "in").mkdir()
    src = tmp_path / "in" / FORMS_FILE
    src.write_bytes(forms_workbook(catalog))
    require_office()
    back = read_forms(_soffice_convert(src, tmp_path / "out"))
    assert back == catalog and catalog_digest(back) == catalog_digest(catalog)


# ---------------------------------------------------------------- problems, each named by sheet and row


def _problems(tmp_path: Path, change: Any) -> list[str]:
    book: Book = copy.deepcopy(sheets())
    change(book)
    check = check_forms(write_xlsx(tmp_path / FORMS_FILE, book))
    assert check.catalog is None
    return list(check.problems)


def _cell(book: Book, sheet: str, row: int, col: int, value: Any) -> None:
    """Set a cell by its 1-based Excel row and 0-based column."""
    book[sheet][0][row - 1][col] = value


PROBLEMS = [
    # (what, change, the sheet and row, a word of the message)
    ("section points", lambda b: _cell(b, "附件1", 4, 1, "组织设置（12分）"), "工作表“附件1”第4行", "标明12分，但各项分值之和为10分"),
    ("points text", lambda b: _cell(b, "附件1", 5, 3, "两分"), "工作表“附件1”第5行", "分值“两分”不是数字"),
    ("points zero", lambda b: _cell(b, "附件1", 5, 3, 0), "工作表“附件1”第5行", "不是正数"),
    ("points negative", lambda b: _cell(b, "附件1", 5, 3, "-1分"), "工作表“附件1”第5行", "不是正数"),
    ("points blank", lambda b: _cell(b, "附件1", 5, 3, None), "工作表“附件1”第5行", "分值为空"),
    ("two decimals", lambda b: _cell(b, "附件1", 5, 3, 1.25), "工作表“附件1”第5行", "最多保留一位小数"),
    ("item without text", lambda b: _cell(b, "附件1", 5, 2, None), "工作表“附件1”第5行", "没有督查内容"),
    ("duplicate item", lambda b: _cell(b, "附件1", 6, 2, "1.党支部设置符合规定。"), "工作表“附件1”第6行", "与第4行重复"),
    ("bad numeral", lambda b: _cell(b, "附件1", 4, 0, "甲"), "工作表“附件1”第4行", "序号“甲”"),
    ("total", lambda b: _cell(b, "附件1", 21, 3, 100), "工作表“附件1”第21行", "合计写的是100"),
    ("form1 title", lambda b: _cell(b, "附件1", 2, 0, None), "工作表“附件1”第2行", "缺少表格标题"),
    ("title field", lambda b: _cell(b, "附件1", 2, 0, "{学院}考核表"), "工作表“附件1”第2行", "“{学院}”无法识别"),
    ("form1 header", lambda b: _cell(b, "附件1", 3, 3, "备注"), "工作表“附件1”", "找不到表头行"),
    ("form2 title", lambda b: _cell(b, "附件2", 1, 0, None), "工作表“附件2”第1行", "缺少表格标题"),
    ("group without tasks", lambda b: _cell(b, "附件2", 8, 1, None), "工作表“附件2”第8行", "“三、作风建设”下面没有任何任务"),
    ("duplicate task", lambda b: _cell(b, "附件2", 4, 1, "1．学习贯彻党的创新理论。"), "工作表“附件2”第4行", "与第3行重复"),
    ("one status", lambda b: _cell(b, "设置", 4, 1, "已完成"), "工作表“设置”第4行", "完成状态至少要有两个"),
    ("repeated status", lambda b: _cell(b, "设置", 4, 1, "已完成、已完成"), "工作表“设置”第4行", "重复"),
    ("blank unit", lambda b: _cell(b, "设置", 5, 1, None), "工作表“设置”第5行", "内容为空"),
    ("unknown setting", lambda b: _cell(b, "设置", 7, 0, "颜色"), "工作表“设置”第7行", "无法识别的设置“颜色”"),
    ("erratum id", lambda b: _cell(b, "设置", 9, 0, "九.9"), "工作表“设置”第9行", "勘误的编号“九.9”"),
    # an erratum left over from another round's table: the message says it may simply be deleted
    ("erratum text", lambda b: _cell(b, "设置", 9, 2, "民主测评"), "工作表“设置”第9行", "请删除这一行"),
    ("sheet missing", lambda b: b.update({"Sheet1": b.pop("附件2")}), "工作簿中没有名为“附件2”的工作表", "现有：附件1、设置、Sheet1"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "change", "where", "needle"), PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_each_problem_names_sheet_and_row(
    tmp_path: Path, what: str, change: Any, where: str, needle: str
) -> None:
    problems = _problems(tmp_path, change)
    assert any(p.startswith(where) and needle in p for p in problems), problems


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    def many(b: Book) -> None:
        _cell(b, "附件1", 5, 3, "两分")
        _cell(b, "附件1", 6, 2, None)
        _cell(b, "附件2", 8, 1, None)
        _cell(b, "设置", 4, 1, "已完成")

    problems = _problems(tmp_path, many)
    rows = ["工作表“附件1”第5行", "工作表“附件1”第6行", "工作表“附件2”第8行", "工作表“设置”第4行"]
    assert [r for r in rows if any(p.startswith(r) for p in problems)] == rows
    with pytest.raises(ConfigError) as exc:
        read_forms(tmp_path / FORMS_FILE)
    assert all(r in str(exc.value) for r in rows) and f"有 {len(problems)} 处问题" in str(exc.value)


def test_leniencies(tmp_path: Path) -> None:
    """An integer 序号, sections stated without points, a section header row of its own, a workbook without
    设置 (the built-in settings), full-width braces in the title."""
    rows = [
        ["｛学校｝考核表", None, None, None],
        ["序号", "项目", "内容", "分值"],
        [1, "甲部分", None, None],
        [None, None, "1.一项", "1.5"],
        [None, None, "2.二项", "0.5 分"],
        [2, "乙部分", "1.三项", 3],
    ]
    form2 = [["任务清单", None], ["类别", "重点工作任务"], ["政治建设", "1．任务"]]
    cat = read_forms(write_xlsx(tmp_path / "x.xlsx", {"附件1": (rows, []), "附件2": (form2, [])}))
    assert [(s.numeral, s.name, s.max_points) for s in cat.sections] == [
        ("1", "甲部分", 2),
        ("2", "乙部分", 3),
    ]
    assert cat.form1.title == "{学校}考核表" and cat.form2.groups[0].numeral == "一"
    assert (cat.statuses, cat.unit, cat.form1.attachment) == (load_catalog().statuses, "党总支", "附件1")


def test_not_an_xlsx_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "a.xlsx").write_bytes(b"\xd0\xcf\x11\xe0 an old .xls")
    with pytest.raises(ConfigError, match=r"不是 \.xlsx 工作簿"):
        check_forms(tmp_path / "a.xlsx")
