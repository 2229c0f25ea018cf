"""campaign.toml as a clerk types it in Notepad (issue 18 item 2, issue 19 item 6): what is unambiguous is
understood and said (a note naming the file and line), what is not gets a Chinese message with the line and
what to write; tomllib's and pydantic's English never reach the user; settings of any shape give a message,
never a traceback."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from dangjian_xlsx.catalog import load_campaign, load_campaign_noted
from dangjian_xlsx.cli import cli
from dangjian_xlsx.errors import ConfigError

HEAD = '[campaign]\nschool = "黄河师范大学"\nyear = 2025\nself_check_start = 2025-10-10\n'
TAIL = "due = 2025-10-31\n"
KEYS = {
    "campaign", "school", "department", "title", "year", "self_check_start", "self_check_end", "due",
    "password", "return_to", "inspection_margin", "roster", "forms", "catalog",
}  # fmt: skip


def campaign_file(tmp_path: Path, end_line: str, *, head: str = HEAD, encoding: str = "utf-8") -> Path:
    """A campaign file whose fifth line is `end_line` (the self-check's last day, as typed)."""
    path = tmp_path / "campaign.toml"
    path.write_text(head + end_line + "\n" + TAIL, encoding)
    return path


def no_english(message: str, folder: Path) -> None:
    """Nothing English in a message but the setting names and the paths, the line and the values as written."""
    text = message.replace(str(folder), "")
    text = re.sub(r"第\d+行（[^）]*）", "", text)  # the line as the clerk wrote it
    text = re.sub(r"“[^”]*”", "", text)  # a value as the clerk wrote it
    text = re.sub(r"[A-Za-z_]+（", "", text)  # a setting named with its Chinese name
    words = set(re.findall(r"[A-Za-z][A-Za-z_]+", text))
    assert words <= KEYS | {"toml", "csv", "xlsx", "json"}, (words, message)
    assert re.search(r"[\u4e00-\u9fff]", message)


# ---------------------------------------------------------------- understood, and said


@pytest.mark.parametrize(
    "typed",
    [
        "2025/10/20",
        "2025.10.20",
        "2025年10月20日",
        '"2025年10月20日"',
        '"2025/10/20"',
        "“2025/10/20”",
        "２０２５-１０-２０",
        "2025-10-20 # 自查截止",
    ],
)
def test_a_date_as_people_write_it_is_understood_and_said(tmp_path: Path, typed: str) -> None:
    path = campaign_file(tmp_path, f"self_check_end = {typed}")
    camp, notes = load_campaign_noted(path)
    assert camp.self_check_end == dt.date(2025, 10, 20)
    if typed.startswith("2025-10-20"):
        assert notes == ()  # already as it should be: nothing to say
    else:
        assert len(notes) == 1 and notes[0].startswith("campaign.toml 第5行：")
        assert "按 2025-10-20 理解" in notes[0]


def test_a_one_digit_month_is_understood(tmp_path: Path) -> None:
    camp, notes = load_campaign_noted(campaign_file(tmp_path, "self_check_end = 2025-11-5"))
    assert camp.self_check_end == dt.date(2025, 11, 5)
    assert "日期“2025-11-5”按 2025-11-05 理解" in notes[0]


def test_chinese_quotes_full_width_digits_and_equals_are_understood(tmp_path: Path) -> None:
    head = (
        "[campaign]\n"
        "school = “黄河师范大学”\n"
        "year ＝ ２０２５\n"
        "self_check_start = 2025-10-10\n"
        'department = “中共黄河师范大学委员会组织部” # 落款\n'
        "return_to = ‘组织部邮箱’\n"
    )  # fmt: skip
    camp, notes = load_campaign_noted(campaign_file(tmp_path, "self_check_end = 2025-10-20", head=head))
    assert camp.school == "黄河师范大学" and camp.year == 2025
    assert camp.department == "中共黄河师范大学委员会组织部" and camp.return_to == "组织部邮箱"
    said = "\n".join(notes)
    assert 'campaign.toml 第2行：中文引号按英文引号理解："黄河师范大学"' in said
    assert '请把中文引号“ ”改为英文引号 " "' in said
    assert "第3行：中文等号“＝”按英文等号“=”理解" in said and "第3行：全角字符“２０２５”按“2025”理解" in said
    assert "第5行" in said and "第6行" in said


def test_text_without_quotes_is_understood(tmp_path: Path) -> None:
    head = "[campaign]\nschool = 黄河师范大学\nyear = 2025\nself_check_start = 2025-10-10\n"
    camp, notes = load_campaign_noted(campaign_file(tmp_path, "self_check_end = 2025-10-20", head=head))
    assert camp.school == "黄河师范大学"
    assert "第2行：“黄河师范大学”没有加引号" in notes[0]


def test_a_byte_order_mark_from_old_notepad_is_accepted(tmp_path: Path) -> None:
    path = campaign_file(tmp_path, "self_check_end = 2025/10/20", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    camp, notes = load_campaign_noted(path)
    assert camp.school == "黄河师范大学" and camp.self_check_end == dt.date(2025, 10, 20)
    assert notes[0].startswith("campaign.toml 第5行")


def test_windows_line_ends_and_a_path_in_chinese_quotes(tmp_path: Path) -> None:
    (tmp_path / "名单").mkdir()
    (tmp_path / "名单" / "r.csv").write_text("党总支名称\n甲党总支\n", "utf-8")
    text = HEAD + "self_check_end = 2025-10-20\n" + TAIL + "roster = “名单\\r.csv”\n"
    (tmp_path / "campaign.toml").write_bytes(text.replace("\n", "\r\n").replace("\\", "/").encode())
    camp, notes = load_campaign_noted(tmp_path / "campaign.toml")
    assert [b.name for b in camp.roster] == ["甲党总支"] and "第7行" in notes[0]


def test_settings_above_the_campaign_table_count(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('school = "黄河师范大学"\n[campaign]\nyear = 2025\n', "utf-8")
    camp = load_campaign(path)
    assert (camp.school, camp.year) == ("黄河师范大学", 2025)


def test_the_command_line_prints_what_was_understood(tmp_path: Path) -> None:
    path = campaign_file(tmp_path, "self_check_end = 2025/10/20")
    out = tmp_path / "表格"
    result = CliRunner().invoke(cli, ["generate", "--campaign", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "注意：campaign.toml 第5行：日期“2025/10/20”按 2025-10-20 理解" in result.output
    blank = next(out.glob("*附件1*.xlsx"))
    with zipfile.ZipFile(blank) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "2025年10月10日至2025年10月20日" in xml  # the self-check window the form's prompt shows


# ---------------------------------------------------------------- not understood: where, and what to write


@pytest.mark.parametrize(
    ("end_line", "needles"),
    [
        (
            "self_check_end = 2025/13/45",
            ["第5行（self_check_end = 2025/13/45）", "日期请写成 2025-10-20", "不加引号"],
        ),
        ('self_check_end = "2025年2月30日"', ["第5行", "日期请写成 2025-10-20", "2025年2月30日"]),
        ("self_check_end = 2025-02-30", ["第5行", "不是有效的日期"]),
        ("self_check_end = 9999-12-31", ["第5行", "超出范围", "1901-01-01", "9998-12-31"]),
        ("self_check_end = 0001-01-01", ["第5行", "超出范围"]),
        ("self_check_end = 2025-10-01", ["第4行", "晚于自查截止日期"]),
        ("self_check_end = 2025-10-20\nschool = “黄河师范大学", ["第6行", '请把中文引号“ ”改为英文引号 " "']),
        (
            "self_check_end = 2025-10-20\nroster = 5",
            ["第6行（roster = 5）", "应为文件名", 'roster = "roster.csv"'],
        ),
        ("self_check_end = 2025-10-20\nroster = [1, 2]", ["第6行", "应为文件名"]),
        ('self_check_end = 2025-10-20\nroster = "没有.csv"', ["第6行", "找不到党总支名单文件"]),
        ("self_check_end = 2025-10-20\ncolour = 1", ["第6行", "无法识别的设置：“colour”"]),
        ("self_check_end = 2025-10-20\ntitle = [1, 2]", ["第6行", "应为文字"]),
        ("self_check_end = 2025-10-20\ninspection_margin = nan", ["第6行", "自评偏高阈值"]),
        ("self_check_end = 2025-10-20\n@@@", ["第6行", "无法识别"]),
    ],
)
def test_a_setting_that_cannot_be_understood_names_its_line_and_the_fix(
    tmp_path: Path, end_line: str, needles: list[str]
) -> None:
    path = campaign_file(tmp_path, end_line)
    with pytest.raises(ConfigError) as exc:
        load_campaign(path)
    message = str(exc.value)
    for needle in needles:
        assert needle in message, (needle, message)
    no_english(message, tmp_path)


@pytest.mark.parametrize("text", ["campaign = 5\n", "campaign = [1, 2]\n", 'campaign = "x"\n'])
def test_campaign_that_is_not_a_table_names_its_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "campaign.toml"
    path.write_text("# 配置\n" + text, "utf-8")
    with pytest.raises(ConfigError) as exc:
        load_campaign(path)
    assert "第2行" in str(exc.value) and "[campaign]" in str(exc.value)
    no_english(str(exc.value), tmp_path)


def test_a_due_date_before_the_self_check_starts_names_its_line(tmp_path: Path) -> None:
    """A clerk's slip the page let through: 报送截止日期 before 自查开始 — no branch could meet it."""
    path = tmp_path / "campaign.toml"
    path.write_text(HEAD + "self_check_end = 2025-10-20\ndue = 2025-09-01\n", "utf-8")
    with pytest.raises(ConfigError) as exc:
        load_campaign(path)
    message = str(exc.value)
    assert "第6行" in message and "报送截止日期" in message and "2025-09-01" in message
    assert "早于自查开始日期" in message and "2025-10-10 或之后" in message
    no_english(message, tmp_path)
    path.write_text(HEAD + "self_check_end = 2025-10-20\ndue = 2025-10-10\n", "utf-8")
    assert load_campaign(path).due.isoformat() == "2025-10-10"  # the first day of the self-check is allowed


def test_a_year_of_five_digits_names_its_line(tmp_path: Path) -> None:
    path = campaign_file(tmp_path, "self_check_end = 2025-10-20", head=HEAD.replace("2025\n", "99999\n", 1))
    with pytest.raises(ConfigError) as exc:
        load_campaign(path)
    assert "第3行（year = 99999）" in str(exc.value) and "四位数的年份" in str(exc.value)


def test_a_roster_path_over_255_bytes_names_its_line(tmp_path: Path) -> None:
    path = campaign_file(tmp_path, 'self_check_end = 2025-10-20\nroster = "' + "名" * 100 + '.csv"')
    with pytest.raises(ConfigError) as exc:
        load_campaign(path)
    assert "第6行" in str(exc.value) and "太长" in str(exc.value)
    no_english(str(exc.value), tmp_path)


def test_a_campaign_file_that_is_not_text_is_said_so(tmp_path: Path) -> None:
    path = tmp_path / "campaign.toml"
    path.write_bytes('[campaign]\nschool = "黄河"\n'.encode("gbk"))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_campaign(path)


def test_the_edge_dates_work(tmp_path: Path) -> None:
    """The first and last dates a campaign may name: forms are made and read back."""
    head = "[campaign]\nyear = 2025\nself_check_start = 1901-01-01\n"
    path = campaign_file(tmp_path, "self_check_end = 9998-12-31", head=head)
    out = tmp_path / "表格"
    result = CliRunner().invoke(cli, ["generate", "--campaign", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["check", "--campaign", str(path), *map(str, out.glob("*.xlsx"))])
    assert "Traceback" not in result.output and result.exit_code in (0, 1), result.output
