"""Issue 19 item 3: text from outside is shown as it is, never as markup, and control characters are drawn.

Submitted cells, file names, paths given on the command line: `[/x]` used to stop a command with rich's
MarkupError (a traceback), and ESC reached the terminal and the notices raw (a sender could clear the
clerk's screen). Now every such text is printed as text, and ESC shows as ␛ in the terminal, the notices,
the summary and the exports alike.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from fill import fill_form, full_scores

from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.cli import cli
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import Field
from dangjian_xlsx.models import FormKind
from dangjian_xlsx.terminal import SafeConsole
from dangjian_xlsx.visible import has_controls, visible

ESC = "\x1b"
RLO = "\u202e"
MARKUP = "[/x] [bold]粗体"  # a closing tag without its opening one; an opening one
TYPED = f"{MARKUP} {ESC}[2J{ESC}[31m红色"  # clears the screen, then turns the rest red
SHOWN = f"{MARKUP} ␛[2J␛[31m红色"


def test_visible_draws_each_control_character() -> None:
    text = f"a{ESC}b\x00c\x07d\x7fe\x9bf{RLO}g\u2066h\u200fi\tj\nk\r\nl\rm"
    assert visible(text) == "a␛b␀c␇d␡e<U+009B>f<U+202E>g<U+2066>h<U+200F>i\tj\nk\nl\nm"
    assert visible("名\t字\n") == "名\t字\n"
    assert visible("名\t字\n", newlines=False) == "名␉字␊"
    assert visible(visible(text)) == visible(text)  # once or twice: the same
    assert has_controls(text) and not has_controls(visible(text)) and not has_controls("普通 [文字]\n")


def test_the_consoles_print_markup_as_text_and_draw_escapes() -> None:
    out = io.StringIO()
    console = SafeConsole(file=out, width=200)
    console.print(TYPED)
    console.rule(f"标题 {MARKUP}{ESC}")
    assert SHOWN in out.getvalue() and f"标题 {MARKUP}␛" in out.getvalue()
    assert ESC not in out.getvalue()


def _patched(path: Path) -> Path:
    """The workbook with every 'ESCMARK' in its XML made the escape `_x001B_` (how Excel stores an ESC typed
    into a cell; openpyxl refuses to write the character itself)."""
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info, src.read(info.filename).replace(b"ESCMARK", b"_x001B_"))
    path.write_bytes(buf.getvalue())
    return path


def _hostile_inbox(inbox: Path) -> tuple[Path, Path]:
    """Two forms: one with a deduction explained by hostile text; one whose score cell holds it (an error,
    echoed by check and quoted by its notice), under a file name that starts with ESC and a bidi override."""
    camp = default_campaign()
    inbox.mkdir(parents=True, exist_ok=True)
    marked = TYPED.replace(ESC, "ESCMARK")
    noted = full_scores(camp.catalog)
    noted[(Field.SCORE, "S01.1")] = 1
    noted[(Field.NOTE, "S01.1")] = marked
    b0, b1 = camp.roster[0], camp.roster[1]
    first = fill_form(
        build_form(camp, FormKind.SCORING, b0), inbox / form_filename(FormKind.SCORING, b0), noted
    )
    wrong = full_scores(camp.catalog)
    wrong[(Field.SCORE, "S01.1")] = marked
    name = f"{ESC}[2J{RLO}{form_filename(FormKind.SCORING, b1)}"
    second = fill_form(build_form(camp, FormKind.SCORING, b1), inbox / name, wrong)
    return _patched(first), _patched(second)


def test_check_echoes_submitted_markup_and_escapes_as_text(tmp_path: Path) -> None:
    first, second = _hostile_inbox(tmp_path / "收件")
    result = CliRunner().invoke(cli, ["check", str(first), str(second)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1  # the second form has an error
    assert "Traceback" not in result.output and ESC not in result.output and RLO not in result.output
    assert f"“{SHOWN}”" in result.output  # the score cell's text, as typed
    assert f"␛[2J<U+202E>{second.name[5:]}" in result.output  # the file name, its controls drawn


def test_a_path_with_markup_is_printed_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _hostile_inbox(tmp_path / "收件")
    result = CliRunner().invoke(cli, ["collect", "收件", "--out", "a[/x]b/汇总表.xlsx"])
    assert result.exit_code == 0, result.output
    assert (
        "已写入 a[/x]b/汇总表.xlsx" in result.output and (tmp_path / "a[" / "x]b" / "汇总表.xlsx").is_file()
    )
    missing = CliRunner().invoke(cli, ["collect", "没有[/x]这个"])
    assert missing.exit_code == 2 and "文件夹“没有[/x]这个”不存在" in missing.output


def _sheet_text(path: Path, sheet: str) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)
    text = "\n".join(str(v) for row in wb[sheet].iter_rows(values_only=True) for v in row if v is not None)
    wb.close()
    return text


def test_notices_summary_exports_and_remind_draw_the_control_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _hostile_inbox(tmp_path / "收件")
    result = CliRunner().invoke(cli, ["collect", "收件", "--out", "出/汇总表.xlsx"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "出"
    files = _sheet_text(out / "汇总表.xlsx", "文件清单")
    assert "␛[2J<U+202E>02_" in files and ESC not in files and RLO not in files
    problems = _sheet_text(out / "汇总表.xlsx", "校验问题")
    assert SHOWN in problems and ESC not in problems
    for export in ("汇总表_文件.csv", "汇总表_问题.csv", "汇总表_得分.csv"):
        text = (out / export).read_text("utf-8-sig")
        assert "␛" in text and ESC not in text and RLO not in text, export
    doc = json.loads((out / "汇总表.json").read_text("utf-8"))
    assert not has_controls(json.dumps(doc, ensure_ascii=False), newlines=True)
    notice = next((out / "退回修改").glob("02_*_退回修改通知.txt")).read_text("utf-8-sig")
    assert SHOWN in notice and "␛[2J<U+202E>02_" in notice and ESC not in notice and RLO not in notice
    reminded = CliRunner().invoke(cli, ["remind", "出/汇总表.xlsx"])
    assert reminded.exit_code == 0 and SHOWN in reminded.output
    assert ESC not in reminded.output and RLO not in reminded.output


def test_a_campaign_key_with_markup_is_said_as_typed(tmp_path: Path) -> None:
    toml = tmp_path / "campaign.toml"
    toml.write_text('[campaign]\n"[/x]" = 1\n', "utf-8")
    result = CliRunner().invoke(cli, ["generate", "--campaign", str(toml), "--out", str(tmp_path / "表格")])
    assert result.exit_code == 2 and "[/x]" in result.output and "Traceback" not in result.output
