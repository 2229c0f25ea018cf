"""The command line's own contract: Chinese usage errors with exit code 2 and no traceback; the round's rules as a
clerk meets them on the command line (issue 15: rules 8, 11, 12)."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from fill import SAVED_AT, fill_form, full_scores
from hostile_corpus import encrypt_ooxml
from ledger import ledger_rows, type_into_ledger
from rich.console import Console

from dangjian_xlsx.catalog import load_campaign
from dangjian_xlsx.cli import cli
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import Field
from dangjian_xlsx.models import Campaign, FormKind
from dangjian_xlsx.ownfiles import is_output_folder


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["collect", "不存在的文件夹"], "文件夹“不存在的文件夹”不存在"),
        (["collect"], "缺少参数 收件文件夹"),
        (["frob"], "没有命令“frob”"),
        (["collect", ".", "--jobs", "999"], "参数 --jobs 的值 999 超出范围（0 至 64）"),
        (["collect", ".", "--jobs", "many"], "参数 --jobs 的值“many”不是整数"),
        (["check", "nope.xlsx"], "文件“nope.xlsx”不存在"),
        (["generate", "--bogus"], "没有选项 --bogus"),
        (["remind", "没有这个汇总表.xlsx"], "“没有这个汇总表.xlsx”不存在（参数 来源）"),
    ],
)
def test_usage_errors_are_chinese_with_exit_code_2(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "用法错误" in result.output and "--help" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_config_error_is_chinese_with_exit_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "campaign.toml"
    bad.write_text("[campaign]\nyear = 'next'\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["generate", "--campaign", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "年度" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_help_and_module_entry_point() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "collect" in result.output and "generate" in result.output
    proc = subprocess.run(
        [sys.executable, "-m", "dangjian_xlsx", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "dangjian-xlsx" in proc.stdout


# ---------------------------------------------------------------- helpers for the round's rules


def flat(text: str) -> str:
    """Output without the line breaks rich puts in at the terminal width."""
    return re.sub(r"\s+", "", text)


def run(args: list[str]) -> Result:
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def scoring_form(
    campaign: Campaign,
    branch_index: int,
    dest: Path,
    deductions: dict[str, tuple[float, str]],
    *,
    date: dt.date = dt.date(2018, 9, 28),
    saved_at: dt.datetime = SAVED_AT,
) -> Path:
    """A branch's 附件1 filled with full marks except `deductions` (item → (score, 扣分说明))."""
    values = full_scores(campaign.catalog, date)
    for item_id, (score, note) in deductions.items():
        values[(Field.SCORE, item_id)] = score
        values[(Field.NOTE, item_id)] = note
    form = build_form(campaign, FormKind.SCORING, campaign.roster[branch_index])
    return fill_form(form, dest, values, saved_at=saved_at)


def campaign_file(folder: Path, school: str = "某某大学", year: int = 2019, roster: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "[campaign]",
        f'school = "{school}"',
        f"year = {year}",
        f"self_check_start = {year}-09-26",
        f"self_check_end = {year}-09-30",
        f"due = {year}-09-30",
    ]
    if roster:
        (folder / roster).write_text("序号,党总支名称\n7,甲党总支\n9,乙党总支\n", "utf-8-sig")
        lines.append(f'roster = "{roster}"')
    path = folder / "campaign.toml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


# ---------------------------------------------------------------- rule 8: nothing the clerk typed is lost


def test_rule8_collect_carries_the_typed_ledger_over_two_reruns(
    campaign: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no campaign.toml here: the built-in round, as the forms
    inbox, out = tmp_path / "收件", tmp_path / "汇总" / "汇总表.xlsx"
    b0, b1 = campaign.roster[0], campaign.roster[1]
    scoring_form(
        campaign,
        0,
        inbox / form_filename(FormKind.SCORING, b0),
        {"S01.1": (1, "缺少清单"), "S02.1": (0, "未开展")},
    )
    scoring_form(campaign, 1, inbox / form_filename(FormKind.SCORING, b1), {"S03.1": (1, "只研究一次")})
    first = run(["collect", str(inbox), "--out", str(out)])
    assert first.exit_code == 0, first.output
    typed = {
        (b0.name, "S01.1"): {
            "整改措施": "补建责任清单",
            "责任人": "张书记",
            "整改时限": dt.date(2018, 11, 30),
        },
        (b0.name, "S02.1"): {"整改状态": "整改中"},
        (b1.name, "S03.1"): {"整改措施": "补开专题会", "整改状态": "已完成"},
    }
    type_into_ledger(out, typed)
    # 文学院 corrects S01.1: its deduction disappears
    corrected = inbox / form_filename(FormKind.SCORING, b0).replace(".xlsx", "(1).xlsx")
    later = dt.datetime(2018, 10, 8, 9, 0)
    scoring_form(campaign, 0, corrected, {"S02.1": (0, "未开展")}, date=dt.date(2018, 9, 30), saved_at=later)
    for _ in range(2):
        again = run(["collect", str(inbox), "--out", str(out)])
        assert again.exit_code == 0, again.output
        assert flat("问题台账：保留已填写的整改记录 3 条（其中 1 条对应的问题已不存在）") in flat(
            again.output
        )
        rows = {(r["党总支"], r["编号"]): r for r in ledger_rows(out)}
        for key, cells in typed.items():
            for header, value in cells.items():
                want = value.isoformat() if isinstance(value, dt.date) else value
                assert rows[key][header] == want, (key, header)
        assert rows[(b0.name, "S01.1")]["台账状态"] == "已销号（问题已不存在）"
        assert rows[(b0.name, "S02.1")]["台账状态"] is None and rows[(b1.name, "S03.1")]["台账状态"] is None
    assert (out.parent / "汇总表.上次.xlsx").is_file() and (out.parent / "退回修改.上次").is_dir()


# ---------------------------------------------------------------- rule 11: never read its own output


@pytest.mark.parametrize(
    ("where", "summary"),
    [
        ("汇总表.xlsx", "收件/汇总表.xlsx"),
        ("输出/汇总表.xlsx", "收件/输出/汇总表.xlsx"),
        (".", "收件/汇总表.xlsx"),
    ],
)
def test_rule11_collect_refuses_to_write_inside_the_inbox(
    campaign: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, summary: str
) -> None:
    monkeypatch.chdir(tmp_path)
    inbox = tmp_path / "收件"
    scoring_form(campaign, 0, inbox / form_filename(FormKind.SCORING, campaign.roster[0]), {})
    before = sorted(p.relative_to(inbox) for p in inbox.rglob("*"))
    result = CliRunner().invoke(cli, ["collect", "收件", "--out", f"收件/{where}"])
    assert result.exit_code == 2, result.output
    text = flat(result.output)
    assert "汇总表不能写在收件文件夹里" in text
    assert f"{summary}位于收件文件夹收件之内" in text  # both paths named
    assert flat(f"--out {tmp_path / '汇总表.xlsx'}") in text  # a place outside to write to
    assert "Traceback" not in result.output
    assert sorted(p.relative_to(inbox) for p in inbox.rglob("*")) == before  # nothing written into it


def test_rule11_feedback_refuses_to_write_inside_the_inbox(
    campaign: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    inbox = tmp_path / "收件"
    scoring_form(campaign, 0, inbox / form_filename(FormKind.SCORING, campaign.roster[0]), {})
    result = CliRunner().invoke(cli, ["feedback", "收件", "--out", "收件/反馈表"])
    assert result.exit_code == 2 and "反馈表不能写在收件文件夹里" in flat(result.output)
    assert not (inbox / "反馈表").exists()
    fine = run(["feedback", "收件", "--out", "反馈表"])
    assert fine.exit_code == 0, fine.output
    assert is_output_folder(tmp_path / "反馈表")  # collect never reads it, wherever it is moved


# ---------------------------------------------------------------- rule 12: the right round, always


def test_rule12_a_campaign_toml_in_the_working_folder_is_used_and_said_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = campaign_file(tmp_path, roster="r.csv")
    monkeypatch.chdir(tmp_path)
    made = run(["generate", "--out", "表格"])
    assert made.exit_code == 0, made.output
    first = made.output.splitlines()[0]
    assert first.startswith(f"督查配置：{toml}（某某大学 ") and "2019年）" in first
    names = sorted(p.name for p in (tmp_path / "表格").iterdir())
    assert names == sorted(f"{n}_{b}_{s}" for n, b in (("07", "甲党总支"), ("09", "乙党总支"))
                           for s in ("附件1_评分表.xlsx", "附件2_重点任务清单.xlsx"))  # fmt: skip
    camp = load_campaign(toml)
    inbox = tmp_path / "收件"
    inbox.mkdir()
    values = full_scores(camp.catalog, dt.date(2019, 9, 28))
    fill_form(tmp_path / "表格" / names[0], inbox / names[0], values)
    collected = run(["collect", "收件", "--out", "汇总表.xlsx"])
    assert collected.exit_code == 0, collected.output
    assert collected.output.splitlines()[0].startswith(f"督查配置：{toml}（某某大学")
    wb = openpyxl.load_workbook(tmp_path / "汇总表.xlsx", read_only=True)
    branches = [r[1] for r in wb["提交情况"].iter_rows(min_row=4, values_only=True) if r[1]]
    assert branches == ["甲党总支", "乙党总支"]  # the round's roster, not the built-in sample's


def test_rule12_a_campaign_toml_beside_the_inbox_is_used(
    campaign: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    round_dir, elsewhere = tmp_path / "督查2019", tmp_path / "别处"
    toml = campaign_file(round_dir)
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    camp = load_campaign(toml)
    scoring_form(
        camp,
        0,
        round_dir / "收件" / form_filename(FormKind.SCORING, camp.roster[0]),
        {},
        date=dt.date(2019, 9, 28),
    )
    result = run(["collect", str(round_dir / "收件"), "--out", str(elsewhere / "汇总表.xlsx")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(f"督查配置：{toml}（某某大学")


def test_rule12_the_built_in_sample_is_said_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dangjian_xlsx.cli as cli_module

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        cli_module,
        "console",
        Console(force_terminal=True, color_system="standard", highlight=False, width=400),
    )
    result = run(["generate", "--out", "表格"])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert "\x1b[1;33m" in first  # bold yellow
    plain = re.sub(r"\x1b\[[0-9;]*m", "", first)
    assert plain.startswith("注意：没有找到督查配置文件 campaign.toml，正在使用内置示例（郑州师范学院 2018年")
    assert "dangjian-xlsx init" in plain


def test_rule12_forms_of_another_round_stop_collect(
    campaign: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forms were made for 某某大学 2019 (campaign.toml elsewhere); collect runs with the built-in sample."""
    other = load_campaign(campaign_file(tmp_path / "别的轮次"))
    inbox, work = tmp_path / "收件箱" / "收件", tmp_path / "工作"
    work.mkdir()
    for k in (0, 1):
        scoring_form(
            other, k, inbox / form_filename(FormKind.SCORING, other.roster[k]), {}, date=dt.date(2019, 9, 28)
        )
    # a password-protected file named for a branch of the built-in roster says nothing about the round
    locked = inbox / "加密" / form_filename(FormKind.SCORING, campaign.roster[0])
    locked.parent.mkdir(parents=True)
    locked.write_bytes(encrypt_ooxml(build_form(other, FormKind.SCORING, other.roster[0])))
    monkeypatch.chdir(work)
    result = CliRunner().invoke(cli, ["collect", str(inbox), "--out", "汇总表.xlsx"])
    assert result.exit_code == 2, result.output
    text = flat(result.output)
    assert "2份表格都不是本轮督查的表格" in text, result.output
    assert "学校为“某某大学”" in text and "年度为2019年" in text  # what the forms say
    assert "督查配置（内置示例）是“郑州师范学院”2018年" in text  # what the campaign says
    assert not (work / "汇总表.xlsx").exists() and not (work / "退回修改").exists()
    # one form of the round among them: no stop, each odd form is reported as it is
    scoring_form(campaign, 2, inbox / form_filename(FormKind.SCORING, campaign.roster[2]), {})
    assert run(["collect", str(inbox), "--out", "汇总表.xlsx"]).exit_code == 0


def test_rule12_two_different_campaign_files_are_not_guessed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = campaign_file(tmp_path / "这里", year=2019)
    beside = campaign_file(tmp_path / "轮次", year=2020)
    (tmp_path / "轮次" / "收件").mkdir()
    monkeypatch.chdir(here.parent)
    result = CliRunner().invoke(cli, ["collect", str(tmp_path / "轮次" / "收件"), "--out", "汇总表.xlsx"])
    assert result.exit_code == 2
    text = flat(result.output)
    assert "找到两个内容不同的督查配置文件" in text and flat(str(here)) in text and flat(str(beside)) in text


@pytest.mark.parametrize(
    ("line", "needles"),
    [
        # school = 某某大学, year＝2019 and due = 2019-9-30 are understood (tests/catalog/test_config_as_typed.py)
        ("due = 2019-09-31", ["第2行", "不是有效的日期"]),
        ("year = 2019\nyear = 2020", ["第3行（year=2020）格式有误", "写了两次"]),
        ('year = "明年"', ["“年度”（year）有误", "应为整数", "明年"]),
        ("inspection_margin = -1", ["“自评偏高阈值”（inspection_margin）有误", "不能小于0"]),
        ("roster = 5", ["“党总支名单”（roster）有误"]),
    ],
)
def test_rule12_campaign_file_errors_are_chinese_and_say_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str, needles: list[str]
) -> None:
    toml = tmp_path / "campaign.toml"
    toml.write_text(f"[campaign]\n{line}\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["generate", "--campaign", str(toml), "--out", "表格"])
    assert result.exit_code == 2, result.output
    text = flat(result.output)
    assert flat(str(toml)) in text
    for needle in needles:
        assert flat(needle) in text, needle
    for english in ("Invalid", "Expected", "Input should", "Cannot", "Traceback"):
        assert english not in result.output
    assert not (tmp_path / "表格").exists()


# ---------------------------------------------------------------- 表格内容.xlsx (issue 16)


def test_init_writes_the_forms_workbook_the_campaign_uses(tmp_path: Path) -> None:
    from dangjian_xlsx.catalog import catalog_digest, load_catalog

    assert run(["init", "--out", str(tmp_path)]).exit_code == 0
    toml = tmp_path / "campaign.toml"
    assert 'forms = "表格内容.xlsx"' in toml.read_text("utf-8")
    assert (tmp_path / "表格内容.xlsx").is_file()
    loaded = load_campaign(toml)
    builtin = load_catalog().for_round(loaded.school, loaded.year)
    assert loaded.catalog == builtin and catalog_digest(loaded.catalog) == catalog_digest(builtin)
    assert loaded.catalog.form1.title.startswith(loaded.school)  # {学校} filled in


def test_forms_check_prints_the_outline(tmp_path: Path) -> None:
    from other_forms import write_xlsx

    path = write_xlsx(tmp_path / "表格内容.xlsx")
    result = run(["forms", "check", str(path)])
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    for line in ("二、组织生活：6项，40分", "四、阵地建设：1项，15分", "共5个部分、16项，总分150分", "三、作风建设：1项任务",
                 "共3类、6项任务", "完成状态：已完成、推进中、未开展（3个）", "填报单位：党支部", "没有发现问题"):  # fmt: skip
        assert line in text, line


def test_forms_check_lists_every_problem_and_exits_2(tmp_path: Path) -> None:
    from other_forms import sheets, write_xlsx

    book = sheets()
    book["附件1"][0][4][3] = "两分"
    book["附件2"][0][7][1] = None
    path = write_xlsx(tmp_path / "表格内容.xlsx", book)
    result = CliRunner().invoke(cli, ["forms", "check", str(path)])
    assert result.exit_code == 2, result.output
    text = flat(result.output)
    assert "发现2处问题" in text and "共5个部分" in text
    assert "1.工作表“附件1”第5行：分值“两分”不是数字" in text
    assert "2.工作表“附件2”第8行：类别“三、作风建设”下面没有任何任务" in text
    assert "Traceback" not in result.output
    missing = CliRunner().invoke(cli, ["forms", "check", str(tmp_path / "没有.xlsx")])
    assert missing.exit_code == 2 and "不存在" in missing.output


def test_forms_carry_the_campaigns_school_not_the_samples(tmp_path: Path) -> None:
    """issue 16: with school = 黄河师范大学 every generated form is headed with it; 郑州师范学院 (the built-in
    sample's school) appears in no cell of any form, 更正表 or 督查评分表."""
    from dangjian_xlsx.round import build_inspections

    assert run(["init", "--out", str(tmp_path)]).exit_code == 0
    toml = tmp_path / "campaign.toml"
    toml.write_text(toml.read_text("utf-8").replace("郑州师范学院", "黄河师范大学"), "utf-8")
    forms = tmp_path / "forms"
    assert run(["generate", "--campaign", str(toml), "--out", str(forms)]).exit_code == 0
    camp = load_campaign(toml)
    b = camp.roster[0]
    inbox = tmp_path / "收件"
    fill_form(
        build_form(camp, FormKind.SCORING, b),
        inbox / form_filename(FormKind.SCORING, b),
        full_scores(camp.catalog),
    )
    from dangjian_xlsx.collect import run_collect

    books = [p.read_bytes() for p in sorted(forms.glob("*.xlsx"))]
    books += [data for _, data in build_inspections(run_collect(inbox, camp))]
    assert len(books) == 2 * len(camp.roster) + 1
    for data in books:
        wb = openpyxl.load_workbook(io.BytesIO(data))
        texts = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
        assert not [t for t in texts if "郑州师范学院" in t]
        scoring = any("评分表" in t for t in texts[:6])  # 附件1 and 督查评分表: headed with the school
        assert not scoring or any(t.startswith("黄河师范大学全面从严治党") for t in texts[:6]), texts[:6]


def test_a_党支部_round_says_党支部_on_every_console_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """issue 16: a round whose forms (表格内容.xlsx: tests/other_forms.py) say 党支部 prints 党支部 — the campaign
    line, collect's closing table (应交党支部, 计入统计的附件3), the feedback and inspect commands — never 党总支."""
    from other_forms import write_xlsx
    from other_report import BRANCHES, fill_inbox

    monkeypatch.chdir(tmp_path)
    write_xlsx(tmp_path / "表格内容.xlsx")
    names = "".join(f"{i},{name}\n" for i, name in enumerate(BRANCHES, 1))
    (tmp_path / "roster.csv").write_text("序号,党总支名称\n" + names, "utf-8-sig")
    toml = tmp_path / "campaign.toml"
    toml.write_text(
        '[campaign]\nschool = "黄河师范大学"\nyear = 2024\nself_check_start = 2024-06-01\n'
        'self_check_end = 2024-06-20\ndue = 2024-06-25\nroster = "roster.csv"\nforms = "表格内容.xlsx"\n',
        "utf-8",
    )
    inbox = tmp_path / "收件"
    fill_inbox(load_campaign(toml), inbox)
    collected = run(["collect", str(inbox), "--out", str(tmp_path / "汇总" / "汇总表.xlsx")])
    assert collected.exit_code == 0, collected.output
    text = flat(collected.output)
    assert "名单4个党支部" in text and "一、交回情况（按党支部）" in text
    assert "应交党支部│4│" in text and "计入统计的附件3│2│" in text and "计入统计的附件4│2│" in text
    outputs = [collected.output]
    empty = tmp_path / "空"
    empty.mkdir()
    for command in (["feedback", str(empty), "--out", str(tmp_path / "反馈")], ["inspect", str(empty)]):
        result = run([*command, "--campaign", str(toml)])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert "没有收到任何党支部的附件3或附件4" in flat(outputs[1]) and "没有已接收的附件3评分表" in flat(
        outputs[2]
    )
    for output in outputs:
        assert "党总支" not in output, output


def test_init_forms_workbook_generates_the_committed_blank_forms(tmp_path: Path) -> None:
    """issue 16 item 5: the built-in forms exported by init, read back, make byte-identical blank_forms/."""
    from dangjian_xlsx.forms import generate_blank

    assert run(["init", "--out", str(tmp_path)]).exit_code == 0
    camp = load_campaign(tmp_path / "campaign.toml")
    repo = Path(__file__).resolve().parent.parent
    for path in generate_blank(camp, tmp_path / "blank"):
        assert path.read_bytes() == (repo / "blank_forms" / path.name).read_bytes(), path.name


def test_generate_refuses_a_forms_workbook_with_problems_and_writes_nothing(tmp_path: Path) -> None:
    assert run(["init", "--out", str(tmp_path)]).exit_code == 0
    book = tmp_path / "表格内容.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb["附件1"]
    points = next(
        c
        for row in ws.iter_rows(min_row=3)
        for c in row
        if isinstance(c.value, int | float) and c.column == 4
    )
    points.value = "两分"  # not a number
    wb.save(book)
    out = tmp_path / "forms"
    result = run(["generate", "--campaign", str(tmp_path / "campaign.toml"), "--out", str(out)])
    assert result.exit_code == 2, result.output
    text = flat(result.output)
    assert "附件1" in text and f"第{points.row}行" in text and "两分" in text
    assert not out.exists() or not any(out.iterdir())


def test_check_names_items_as_the_form_shows_them(tmp_path: Path) -> None:
    """`check` lists each problem by the form's own numbering (第一部分第2项), as the notices do, not S01.2."""
    from fill import fill_form, full_scores

    from dangjian_xlsx.catalog import default_campaign
    from dangjian_xlsx.forms import build_form, form_filename
    from dangjian_xlsx.layout import Field
    from dangjian_xlsx.models import FormKind

    camp = default_campaign()
    branch = camp.roster[0]
    values = full_scores(camp.catalog)
    values[(Field.SCORE, "S01.2")] = 3  # the item is worth 2
    path = tmp_path / form_filename(FormKind.SCORING, branch)
    fill_form(build_form(camp, FormKind.SCORING, branch), path, values)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1, result.output
    assert "第一部分第2项" in result.output and "S01.2" not in result.output
