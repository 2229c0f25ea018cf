"""Issue 15, rule 8, proven against a real office program: the clerk types 整改措施 / 责任人 / 整改时限 /
整改状态 into the summary's 问题台账 in LibreOffice Calc (a typed 2018-11-30 becomes a date there) and saves
it in place; collect runs again after a correction that makes one deduction disappear, then once more. Every
typed cell is found in the new summary, and the file LibreOffice saved is kept as 汇总表.上次.xlsx.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import require_office
from fill import fill_form, full_scores
from ledger import header_row, ledger_rows
from office import Document, Edit, run_driver

from dangjian_xlsx.cli import cli
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import Field, a1
from dangjian_xlsx.models import Campaign, FormKind

pytestmark = pytest.mark.office

DEDUCTIONS = {  # roster index → {item: (score, 扣分说明)}
    0: {"S01.1": (1, "缺少主体责任清单"), "S02.1": (0, "未开展专题研究")},
    1: {"S03.1": (1, "只研究了一次")},
    2: {"S04.1": (1.5, "记录不全")},
}


def _form(campaign: Campaign, k: int, dest: Path, deductions: dict[str, tuple[float, str]], day: int) -> None:
    values = full_scores(campaign.catalog, dt.date(2018, 9, day))
    for item_id, (score, note) in deductions.items():
        values[(Field.SCORE, item_id)] = score
        values[(Field.NOTE, item_id)] = note
    branch = campaign.roster[k]
    fill_form(
        build_form(campaign, FormKind.SCORING, branch), dest, values, saved_at=dt.datetime(2018, 9, day, 10)
    )


def _collect(inbox: Path, out: Path) -> str:
    result = CliRunner().invoke(cli, ["collect", str(inbox), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return re.sub(r"\s+", "", result.output)


def _typing(campaign: Campaign, summary: Path) -> tuple[list[Edit], dict[tuple[str, str], dict[str, object]]]:
    """What the clerk types, cell by cell, into the ledger rows of the first collect's summary."""
    import openpyxl

    wb = openpyxl.load_workbook(summary, read_only=True)
    at, cols = header_row(wb["问题台账"])
    keys = [
        (r[cols["党总支"] - 1], r[cols["编号"] - 1])
        for r in wb["问题台账"].iter_rows(min_row=at + 1, values_only=True)
    ]
    wb.close()
    b = campaign.roster
    typed: dict[tuple[str, str], dict[str, object]] = {
        (b[0].name, "S01.1"): {"整改措施": "补建主体责任清单", "责任人": "张书记", "整改时限": "2018-11-30"},
        (b[0].name, "S02.1"): {"整改措施": "十月召开专题会", "整改状态": "整改中"},
        (b[1].name, "S03.1"): {"责任人": "李委员", "整改时限": "2018-12-15", "整改状态": "已完成"},
        (b[2].name, "S04.1"): {"整改措施": "补齐会议记录"},
    }
    edits = []
    for key, cells in typed.items():
        row = at + 1 + keys.index(key)  # 1-based
        for header, value in cells.items():
            edits.append(Edit("问题台账", a1(row - 1, cols[header] - 1), value))
    return edits, typed


def test_rule8_cells_typed_in_libreoffice_survive_two_more_collects(
    campaign: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_office(uno=True)
    monkeypatch.chdir(tmp_path)  # the built-in round (no campaign.toml here), like the forms
    inbox, out = tmp_path / "收件", tmp_path / "汇总" / "汇总表.xlsx"
    for k, deductions in DEDUCTIONS.items():
        _form(campaign, k, inbox / form_filename(FormKind.SCORING, campaign.roster[k]), deductions, 28)
    _collect(inbox, out)

    edits, typed = _typing(campaign, out)
    doc = Document(out, tmp_path / "calc", "汇总表", edits, ("xlsx",))
    result = run_driver([doc], tmp_path / "driver")
    assert all(e["status"] == "applied" for e in result.edits(doc)), result.edits(doc)
    dates = [e for e in result.edits(doc) if e["value"] in ("2018-11-30", "2018-12-15")]
    assert [e["after"]["type"] for e in dates] == ["VALUE", "VALUE"]  # Calc made the typed dates dates
    shutil.copy(doc.output("xlsx"), out)  # saved in place, as the clerk does
    saved_by_calc = out.read_bytes()

    # 第一个党总支 corrects S01.1: that deduction no longer exists
    first = campaign.roster[0]
    corrected = inbox / form_filename(FormKind.SCORING, first).replace(".xlsx", "(1).xlsx")
    _form(campaign, 0, corrected, {"S02.1": (0, "未开展专题研究")}, 30)
    for n in (2, 3):
        console = _collect(inbox, out)
        assert "问题台账：保留已填写的整改记录4条（其中1条对应的问题已不存在）" in console, console
        if n == 2:
            assert (out.parent / "汇总表.上次.xlsx").read_bytes() == saved_by_calc
        rows = {(r["党总支"], r["编号"]): r for r in ledger_rows(out)}
        for key, cells in typed.items():
            for header, value in cells.items():
                assert rows[key][header] == value, (n, key, header, rows[key][header])
        assert rows[(first.name, "S01.1")]["台账状态"] == "已销号（问题已不存在）"
        assert rows[(first.name, "S01.1")]["扣分说明（佐证材料）"] == "缺少主体责任清单"
        others = [k for k in typed if k != (first.name, "S01.1")]
        assert all(rows[k]["台账状态"] is None for k in others)
