"""Library English → Chinese reasons (issue 19, item 3): what calamine, zipfile or a Rust panic says never
reaches the user — the file's reason says in Chinese what is wrong and what to do, the library's text goes
to the debug log only. A date cell calamine cannot convert does not cost the form; an impossible document
date does not reject a good form."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pytest
from fill import clean_values, fill_form
from hostile_corpus import make_xls, members, mulrk, patch, small_xlsx

from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.collect import process_file
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.layout import Field
from dangjian_xlsx.models import Campaign, FormKind, Outcome
from dangjian_xlsx.read import ReadError, read_workbook
from dangjian_xlsx.read.reasons import RESAVE, what_is_wrong

# Latin words a Chinese reason may name: the programs and formats the sender knows
ALLOWED_LATIN = {"Excel", "WPS", "xlsx", "xls", "LibreOffice", "XML", "ZIP", "CRC", "DTD", "FIFO", "GBK"}


def english_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in ALLOWED_LATIN]


def _reject(data: bytes) -> ReadError:
    with pytest.raises(ReadError) as err:
        read_workbook(data, "x")
    return err.value


def test_a_missing_shared_string_is_said_in_chinese(caplog: pytest.LogCaptureFixture) -> None:
    """calamine: 'Cell string index not found in shared strings table' (31 times in the audit)."""
    bad = patch(small_xlsx(), "xl/worksheets/sheet1.xml", lambda s: s.replace(b"<v>0</v>", b"<v>99</v>", 1))
    with caplog.at_level(logging.DEBUG, logger="dangjian_xlsx.read"):
        err = _reject(bad)
    assert err.code.value == "file-corrupt"
    assert "共享字符串表缺项" in err.message and RESAVE in err.message
    assert english_words(err.message) == []
    assert "shared strings" in err.debug  # the library's text, kept for the debug log
    assert any("shared strings" in r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG)


def test_an_undetectable_format_is_said_in_chinese() -> None:
    """calamine: 'Cannot detect file format' (16 times): here a MULRK whose length disagrees with its columns."""
    err = _reject(make_xls([("a", 0, [(0, 0, "x")])], sheet_extra=mulrk(0, 5, 0, 1)))
    assert err.code.value == "file-corrupt" and "无法识别" in err.message
    assert english_words(err.message) == [] and "Cannot detect file format" in err.debug


def test_the_debug_log_is_silent_by_default(capfd: pytest.CaptureFixture[str]) -> None:
    bad = patch(small_xlsx(), "xl/worksheets/sheet1.xml", lambda s: s.replace(b"<v>0</v>", b"<v>99</v>", 1))
    _reject(bad)
    out = capfd.readouterr()
    assert "shared strings" not in out.out + out.err


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Cell string index not found in shared strings table", "共享字符串表缺项"),
        ("Cannot detect file format", "无法识别"),
        ("Xlsx error: Zip error: invalid Zip archive: Could not find EOCD", "压缩包结构损坏"),
        ("Xls error: Invalid mulrk length, expected at least 18, found 12", "工作表记录损坏"),
        ("Xlsx error: Xml error: ill-formed document: expected `</c>`, but `</row>` was found", "XML"),
        ("Xlsx error: Parse float error: invalid float literal", "单元格数据格式错误"),
        ("Ods error: Expecting 'table:table-row', found 'text:p'", "XML"),
        ("Xls error: Cfb error: Invalid OLE (signature invalid, not an office document?)", "复合文档"),
        ("Xlsx error: Worksheet 'x' not found", "缺少工作表"),
        ("something nobody has seen", "表格内容无法解析"),
    ],
)
def test_library_texts_map_to_chinese(text: str, reason: str) -> None:
    said = what_is_wrong(RuntimeError(text))
    assert reason in said and english_words(said) == []


def test_a_panic_is_said_in_chinese() -> None:
    class PanicException(BaseException):  # what pyo3 raises, by name
        pass

    said = what_is_wrong(PanicException("TimeDelta::milliseconds out of bounds"))
    assert said == "文件中有读取程序无法处理的异常数据"


@pytest.fixture(scope="module")
def camp() -> Campaign:
    return default_campaign()


def _form(camp: Campaign, dest: Path, **changes: object) -> Path:
    values = clean_values(camp.catalog, FormKind.SCORING)
    values.update({(Field(k), ""): v for k, v in changes.items()})
    return fill_form(build_form(camp, FormKind.SCORING, camp.roster[0]), dest, values)


def test_a_date_far_out_of_range_is_an_invalid_value_not_a_lost_form(camp: Campaign, tmp_path: Path) -> None:
    """A fill date of -1.1e11 (calamine panics converting it): the form is read, the cell reported invalid."""
    path = _form(camp, tmp_path / "far.xlsx", date=-1.1e11)
    rec = process_file(path, tmp_path, camp)
    assert rec.outcome is not Outcome.REJECTED and rec.submission is not None
    [p] = [p for p in rec.problems if p.code == "date-invalid"]
    assert p.cell == "E3" and p.value == "-110000000000"


def test_an_impossible_document_date_does_not_reject_a_good_form(camp: Campaign, tmp_path: Path) -> None:
    """docProps/core.xml modified 2018-02-30T00:00:00Z: the form is read; its saved-at time is unknown."""
    path = _form(camp, tmp_path / "good.xlsx")
    data = path.read_bytes()
    core = dict(members(data))["docProps/core.xml"]
    bad = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2018-02-30T00:00:00Z", core)
    assert bad != core
    path.write_bytes(patch(data, "docProps/core.xml", lambda _: bad))
    rec = process_file(path, tmp_path, camp)
    assert rec.outcome is Outcome.ACCEPTED, rec.reason
    assert rec.saved_at is None


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "2018-13-01"])
def test_other_impossible_document_dates_are_unknown_times(when: str) -> None:
    from dangjian_xlsx.read import workbook

    assert workbook._parse_when(when) is None
    assert workbook._parse_when("2018-09-28T10:00:00Z") == dt.datetime(2018, 9, 28, 10, 0)
