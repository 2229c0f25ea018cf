"""Rosters as people keep them and of any shape (issue 18 item 3, issue 19 item 6): a title row above the
header, Excel's "Unicode 文本", names that look the same (full/half width, no-break spaces: one branch, with a
note), invisible characters, 序号 of any width, oversized cells; suggestions for a name not on the roster by
meaning."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from dangjian_xlsx.catalog import load_campaign, read_roster
from dangjian_xlsx.cli import cli
from dangjian_xlsx.errors import ConfigError
from dangjian_xlsx.validate import suggest

COMPUTING = "计算机与信息工程学院（软件学院）党总支"


def csv_roster(tmp_path: Path, *rows: str, header: str = "序号,党总支名称") -> Path:
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([header, *rows]) + "\n", "utf-8")
    return path


def names(path: Path) -> list[tuple[int, str]]:
    return [(b.seq, b.name) for b in read_roster(path).branches]


def refused(path: Path) -> str:
    with pytest.raises(ConfigError) as exc:
        read_roster(path)
    return str(exc.value)


# ---------------------------------------------------------------- rosters as kept


def test_an_xlsx_roster_with_a_title_row_above_the_header(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2025年党建专项督查党总支名单"])
    ws.merge_cells("A1:E1")
    ws.append([])
    ws.append(["序号", "党总支名称", "简称", "联系人", "邮箱"])
    ws.append([1, COMPUTING, "计算机学院", "张三", "zhang@example.edu.cn"])
    ws.append([2, "文学院党总支", None, "李四", "li@example.edu.cn"])
    wb.save(tmp_path / "名单.xlsx")
    roster = read_roster(tmp_path / "名单.xlsx").branches
    assert [(b.seq, b.name, b.short, b.contact, b.email) for b in roster] == [
        (1, COMPUTING, "计算机学院", "张三", "zhang@example.edu.cn"),
        (2, "文学院党总支", "", "李四", "li@example.edu.cn"),
    ]
    ws.append([3, "文学院党总支"])
    wb.save(tmp_path / "名单.xlsx")
    assert "名单 名单.xlsx 第6行：党总支名称“文学院党总支”与第5行重复" in refused(tmp_path / "名单.xlsx")


def test_excels_unicode_text_export_is_a_roster(tmp_path: Path) -> None:
    """Excel's 另存为 "Unicode 文本": UTF-16 with a byte-order mark, tab-separated."""
    text = (
        "序号\t党总支名称\t简称\t联系人\r\n1\t"
        + COMPUTING
        + "\t计算机学院\t张三\r\n2\t文学院党总支\t\t李四\r\n"
    )
    path = tmp_path / "名单.txt"
    path.write_bytes(text.encode("utf-16"))
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    roster = read_roster(path).branches
    assert [(b.name, b.short, b.contact) for b in roster] == [
        (COMPUTING, "计算机学院", "张三"),
        ("文学院党总支", "", "李四"),
    ]


def test_half_and_full_width_spellings_are_one_branch_with_a_note(tmp_path: Path) -> None:
    path = csv_roster(
        tmp_path, "1,计算机学院(软件学院)党总支", "2,计算机学院（软件学院）党总支", "3,文学院党总支"
    )
    read = read_roster(path)
    assert [(b.seq, b.name) for b in read.branches] == [
        (1, "计算机学院(软件学院)党总支"),
        (3, "文学院党总支"),
    ]
    assert len(read.notes) == 1
    assert "第3行" in read.notes[0] and "第2行" in read.notes[0] and "全角/半角" in read.notes[0]
    assert "按同一个党总支计" in read.notes[0]


def test_a_no_break_space_is_a_space(tmp_path: Path) -> None:
    path = csv_roster(tmp_path, "1,文学院 党总支", "2,文学院\u00a0党总支", "3,法学院\u00a0党总支")
    read = read_roster(path)
    assert [b.name for b in read.branches] == ["文学院 党总支", "法学院 党总支"]
    said = "\n".join(read.notes)
    assert (
        "第3行" in said and "只是空格不同" in said and "第4行" in said and "不换行空格已改为普通空格" in said
    )


def test_invisible_characters_are_removed_and_an_invisible_name_is_refused(tmp_path: Path) -> None:
    read = read_roster(csv_roster(tmp_path, "1,文\u200b学院党总支", "2,法学院党总支\ufeff"))
    assert [b.name for b in read.branches] == ["文学院党总支", "法学院党总支"]
    assert "看不见的字符已去掉" in read.notes[0]
    message = refused(csv_roster(tmp_path, "1,\u200b\u200d", "2,文学院党总支"))
    assert "第2行：党总支名称为空（只有看不见的字符）" in message
    assert "第2行：党总支名称为空" in refused(csv_roster(tmp_path, "1,\u3000", "2,文学院党总支"))


# ---------------------------------------------------------------- any shape


@pytest.mark.parametrize(
    ("seq", "needle"),
    [
        ("inf", "序号“inf”不是正整数"),
        ("nan", "序号“nan”不是正整数"),
        ("2.5", "序号“2.5”不是正整数"),
        ("0", "序号“0”不是正整数"),
        ("1e20", "序号“1e20”太大"),
        ("1" * 5000, "太大"),
    ],
)
def test_a_seq_that_is_not_a_positive_whole_number_names_its_row(
    tmp_path: Path, seq: str, needle: str
) -> None:
    message = refused(csv_roster(tmp_path, "1,文学院党总支", f"{seq},法学院党总支"))
    assert "名单 roster.csv 第3行" in message and needle in message and len(message) < 300


def test_a_seq_of_any_width(tmp_path: Path) -> None:
    path = csv_roster(tmp_path, "10000,文学院党总支", "１２３４５６,法学院党总支", ",音乐学院党总支")
    assert names(path) == [(10000, "文学院党总支"), (123456, "法学院党总支"), (123457, "音乐学院党总支")]


def test_a_ten_thousand_row_roster(tmp_path: Path) -> None:
    path = csv_roster(tmp_path, *(f"{n},第{n}党总支" for n in range(1, 10_001)))
    roster = read_roster(path).branches
    assert len(roster) == 10_000 and roster[-1].seq == 10_000 and roster[-1].id == "10000"


def test_a_roster_of_wide_seqs_is_generated_and_collected(tmp_path: Path) -> None:
    """序号 past 9999 through generate and collect: the forms carry the number, collect finds their branch."""
    csv_roster(tmp_path, "10000,文学院党总支", "123456,法学院党总支")
    (tmp_path / "campaign.toml").write_text('[campaign]\nroster = "roster.csv"\n', "utf-8")
    toml, inbox = str(tmp_path / "campaign.toml"), tmp_path / "收件"
    result = CliRunner().invoke(cli, ["generate", "--campaign", toml, "--out", str(inbox)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name.split("_")[0] for p in inbox.iterdir()) == ["10000", "10000", "123456", "123456"]
    out = tmp_path / "汇总" / "汇总表.xlsx"
    result = CliRunner().invoke(cli, ["collect", str(inbox), "--campaign", toml, "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(out, read_only=True)["提交情况"].values)
    header = next(i for i, r in enumerate(rows) if r and "序号" in r)
    seq_col = rows[header].index("序号")
    assert sorted(int(r[seq_col]) for r in rows[header + 1 :] if r[seq_col] is not None) == [10000, 123456]


def test_a_field_over_the_csv_limit_names_its_row(tmp_path: Path) -> None:
    path = csv_roster(
        tmp_path, "1,文学院党总支,张三", "2,法学院党总支," + "x" * 140_000, header="序号,党总支名称,联系人"
    )
    message = refused(path)
    assert "名单文件 roster.csv 第3行" in message and "过长" in message and len(message) < 300


def test_a_contact_of_a_thousand_characters_names_its_row(tmp_path: Path) -> None:
    path = csv_roster(tmp_path, "1,文学院党总支," + "李" * 1000, header="序号,党总支名称,联系人")
    assert "第2行：联系人内容过长（1000 个字符）" in refused(path)


@pytest.mark.parametrize("length", [67, 200])
def test_a_name_too_long_for_a_file_name_names_its_row(tmp_path: Path, length: int) -> None:
    message = refused(csv_roster(tmp_path, "1," + "计" * length))
    assert "第2行：党总支名称太长" in message and "最多 50 个汉字" in message and len(message) < 300


def test_fifty_characters_make_every_file(tmp_path: Path) -> None:
    """The longest name allowed fits every file name the round writes (forms, notices, corrected copies)."""
    name = "计" * 47 + "党总支"
    csv_roster(tmp_path, "123456789012345," + name)
    (tmp_path / "campaign.toml").write_text('[campaign]\nroster = "roster.csv"\n', "utf-8")
    toml, inbox = str(tmp_path / "campaign.toml"), tmp_path / "收件"
    assert CliRunner().invoke(cli, ["generate", "--campaign", toml, "--out", str(inbox)]).exit_code == 0
    out = tmp_path / "汇总" / "汇总表.xlsx"
    result = CliRunner().invoke(cli, ["collect", str(inbox), "--campaign", toml, "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = [p for p in out.parent.rglob("*") if name in p.name]
    assert any(p.suffix == ".txt" for p in written) and any("更正" in p.name for p in written)


def test_the_roster_setting_with_a_roster_of_any_shape_names_the_roster_row(tmp_path: Path) -> None:
    csv_roster(tmp_path, "1,文学院党总支", "inf,法学院党总支")
    (tmp_path / "c.toml").write_text('[campaign]\nroster = "roster.csv"\n', "utf-8")
    with pytest.raises(ConfigError) as exc:
        load_campaign(tmp_path / "c.toml")
    assert "名单 roster.csv 第3行：序号“inf”不是正整数" in str(exc.value)


def test_roster_notes_reach_the_command_line(tmp_path: Path) -> None:
    path = csv_roster(tmp_path, "1,计算机学院(软件学院)党总支", "2,计算机学院（软件学院）党总支")
    result = CliRunner().invoke(cli, ["generate", "--roster", str(path), "--out", str(tmp_path / "表格")])
    assert result.exit_code == 0, result.output
    assert "注意：名单 roster.csv 第3行" in result.output and "按同一个党总支计" in result.output
    assert len(list((tmp_path / "表格").glob("*.xlsx"))) == 2  # one branch, its two forms


# ---------------------------------------------------------------- suggestions by meaning


ROSTER_NAMES = (
    "文学院党总支",
    "外国语学院党总支",
    "法学院党总支",
    COMPUTING,
    "化学化工学院党总支",
    "美术学院党总支",
    "继续教育学院党总支",
)


def test_a_short_name_suggests_the_branch_it_means_first() -> None:
    assert suggest("计算机学院党总支", ROSTER_NAMES)[0] == COMPUTING
    assert suggest("计算机学院", ROSTER_NAMES)[0] == COMPUTING
    assert suggest("软件学院党总支", ROSTER_NAMES)[0] == COMPUTING  # the bracketed other name
    assert suggest("化学学院党总支", ROSTER_NAMES)[0] == "化学化工学院党总支"


def test_spelling_still_counts_when_meaning_says_nothing() -> None:
    assert suggest("外语学院党总支", ROSTER_NAMES)[0] == "外国语学院党总支"
    assert suggest("法学院", ROSTER_NAMES) == ["法学院党总支"]
    assert suggest("ZZZ", ROSTER_NAMES) == []
