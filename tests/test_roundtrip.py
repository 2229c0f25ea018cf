"""The whole round through the CLI: generate for the sample roster, fill every input with known values through
openpyxl, collect, and read the summary back cell by cell. Expected totals and ranks are computed here, from
the values filled in, never taken from the summary or the forms' formulas."""

from __future__ import annotations

import hashlib
import random
import subprocess
import warnings
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import REPO, require_office
from fill import fill_form

from dangjian_xlsx.cli import cli
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import STATUSES, Field
from dangjian_xlsx.models import Campaign, FormKind

FILL_DAY = "2018-09-28"


def _scores(rng: random.Random, campaign: Campaign) -> dict[str, float]:
    return {
        it.id: rng.choice([it.points, it.points, it.points - 0.5, it.points - 1, 0])
        for it in campaign.catalog.items
    }


def _statuses(rng: random.Random, campaign: Campaign) -> dict[str, str]:
    return {t.id: rng.choice(STATUSES) for t in campaign.catalog.tasks}


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, campaign: Campaign) -> tuple[Path, dict, dict]:
    """An inbox with both forms of every roster branch filled with known, varied values."""
    import datetime as dt

    inbox = tmp_path_factory.mktemp("inbox")
    rng = random.Random(7)
    scores: dict[str, dict[str, float]] = {}
    statuses: dict[str, dict[str, str]] = {}
    day = dt.date.fromisoformat(FILL_DAY)
    for branch in campaign.roster:
        s = _scores(rng, campaign)
        if branch.seq in (4, 5):  # a tie: both get exactly the same scores
            s = scores.get("tie", s)
            scores["tie"] = s
        values: dict = {(Field.DATE, ""): day}
        for item in campaign.catalog.items:
            values[(Field.SCORE, item.id)] = s[item.id]
            if s[item.id] < item.points:
                values[(Field.NOTE, item.id)] = f"{item.id} 佐证材料不全"
        fill_form(
            build_form(campaign, FormKind.SCORING, branch),
            inbox / form_filename(FormKind.SCORING, branch),
            values,
        )
        st = _statuses(rng, campaign)
        tvalues: dict = {(Field.DATE, ""): day}
        for task_id, status in st.items():
            tvalues[(Field.STATUS, task_id)] = status
            tvalues[(Field.DONE, task_id)] = f"{task_id} 已开展工作"
            tvalues[(Field.ISSUES, task_id)] = f"{task_id} 继续推进"
        fill_form(
            build_form(campaign, FormKind.TASKS, branch),
            inbox / form_filename(FormKind.TASKS, branch),
            tvalues,
        )
        scores[branch.name] = s
        statuses[branch.name] = st
    scores.pop("tie")
    return inbox, scores, statuses


def _checksums(folder: Path) -> dict[str, tuple[str, float]]:
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _collect(inbox: Path, out: Path) -> openpyxl.Workbook:
    result = CliRunner().invoke(cli, ["collect", str(inbox), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "汇总结果" in result.output and "应交党总支" in result.output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl does not know the data-bar extension
        return openpyxl.load_workbook(out)


@pytest.fixture(scope="module")
def summary(filled: tuple[Path, dict, dict], tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    inbox = filled[0]
    before = _checksums(inbox)
    wb = _collect(inbox, tmp_path_factory.mktemp("out") / "汇总表.xlsx")
    assert _checksums(inbox) == before, "collect modified the inbox"
    return wb


def _header(ws, row: int) -> dict[str, int]:
    return {
        str(v): i for i, v in enumerate(next(ws.iter_rows(min_row=row, max_row=row, values_only=True))) if v
    }


def test_scores_totals_and_ranks(
    summary: openpyxl.Workbook, filled: tuple[Path, dict, dict], campaign: Campaign
) -> None:
    _, scores, _ = filled
    totals = {name: sum(s.values()) for name, s in scores.items()}
    expected_rank = {name: 1 + sum(t > total for t in totals.values()) for name, total in totals.items()}
    ws = summary["得分汇总"]
    col = _header(ws, 3)
    rows = {r[col["党总支"]]: r for r in ws.iter_rows(min_row=4, values_only=True) if r[col["党总支"]]}
    assert set(rows) == set(scores)
    for name, s in scores.items():
        row = rows[name]
        assert row[col["自评总分"]] == pytest.approx(totals[name]), name
        assert row[col["自评排名"]] == expected_rank[name], name
        for section in campaign.catalog.sections:
            got = row[col[f"{section.numeral}、{section.label}"]]
            assert got == pytest.approx(sum(s[i.id] for i in section.items)), (name, section.id)
    tied = [rows[b.name][col["自评排名"]] for b in campaign.roster if b.seq in (4, 5)]
    assert tied[0] == tied[1]


def test_every_item_score(summary: openpyxl.Workbook, filled: tuple[Path, dict, dict]) -> None:
    _, scores, _ = filled
    ws = summary["得分明细"]
    head = next(ws.iter_rows(min_row=4, max_row=4, values_only=True))
    item_col = {str(v).split("\n")[0]: i for i, v in enumerate(head) if v}
    seen = 0
    for row in ws.iter_rows(min_row=5, values_only=True):
        if row[1] in scores:
            for item_id, score in scores[row[1]].items():
                assert row[item_col[item_id]] == pytest.approx(score), (row[1], item_id)
            seen += 1
    assert seen == len(scores)


def test_every_task_status(summary: openpyxl.Workbook, filled: tuple[Path, dict, dict]) -> None:
    _, _, statuses = filled
    ws = summary["任务清单汇总"]
    head = next(ws.iter_rows(min_row=4, max_row=4, values_only=True))
    task_col = {str(v).split(" ")[0]: i for i, v in enumerate(head) if v and str(v).startswith("T")}
    assert len(task_col) == 20
    seen = 0
    for row in ws.iter_rows(min_row=5, values_only=True):
        if row[1] in statuses:
            for task_id, status in statuses[row[1]].items():
                assert row[task_col[task_id]] == status, (row[1], task_id)
            seen += 1
    assert seen == len(statuses)


def test_rerun_gives_the_same_summary(
    summary: openpyxl.Workbook, filled: tuple[Path, dict, dict], tmp_path: Path
) -> None:
    again = _collect(filled[0], tmp_path / "汇总表.xlsx")
    assert again.sheetnames == summary.sheetnames
    for ws in summary.worksheets:
        assert list(ws.iter_rows(values_only=True)) == list(again[ws.title].iter_rows(values_only=True)), (
            ws.title
        )
    assert again.properties.created == summary.properties.created


@pytest.mark.office
def test_demo_inbox_collects_and_opens_in_libreoffice(tmp_path: Path) -> None:
    """What `make demo` does with the committed sample inbox; LibreOffice must open the result without repair."""
    require_office()
    out = tmp_path / "汇总表.xlsx"
    result = CliRunner().invoke(cli, ["collect", str(REPO / "sample_submissions"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "需修改" in result.output and "部分未交" in result.output  # the closing table's words
    proc = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo_profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(out),
        ],
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "汇总表.pdf"
    assert proc.returncode == 0 and pdf.exists(), proc.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
