"""A 自查报告 that arrived but cannot be opened (README 汇总规则 7): rejected as the 自查报告 of the branch its
name or folder shows ('report-unreadable', with why), never 'not a form' nor a form of unknown kind; replaced by
a readable 自查报告 sent after it. Documents people open that the tool does not read (.odt, .txt, .rtf) count."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from report_inbox import (
    CASE_A,
    CASE_B,
    COUNTED,
    DAMAGED_DOC,
    IN_FOLDER,
    LATER,
    RANDOM,
    READABLE,
    REPLACED,
    REPLACING,
    ROSTER,
    TEXT,
    TRUNCATED_DOCX,
    TRUNCATED_PDF,
    collect_reports,
    report_campaign,
    write,
)

from dangjian_xlsx.collect import process_file, unreadable_report
from dangjian_xlsx.collect.documents import unreadable_reason
from dangjian_xlsx.messages import Code
from dangjian_xlsx.models import Campaign, FileRecord, Outcome, Report

FIRST = ROSTER[0]


@pytest.fixture(scope="module")
def camp(tmp_path_factory: pytest.TempPathFactory) -> Campaign:
    return report_campaign(tmp_path_factory.mktemp("camp"))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return collect_reports(tmp_path_factory.mktemp("reports"))


def _one(tmp_path: Path, camp: Campaign, name: str, data: bytes) -> FileRecord:
    inbox = tmp_path / "收件"
    return process_file(write(inbox, name, data), inbox, camp)


def _odt() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        (CASE_A, RANDOM, "实际内容是无法识别的数据，不是 Word 或 PDF 文档"),  # case A: random bytes
        (
            "物理学院第一党支部自查报告.docx",
            TEXT,
            "实际内容是纯文本，不是 Word 或 PDF 文档",
        ),  # a renamed .txt
        ("物理学院第一党支部自查报告.pdf", b"", "文件是空的，0 字节"),  # case B
        ("物理学院第一党支部自查报告.docx", TRUNCATED_DOCX, "文件已损坏或不完整，可能只保存或传输了一部分"),
        ("物理学院第一党支部自查报告.pdf", TRUNCATED_PDF, "文件已损坏或不完整，可能只保存或传输了一部分"),
        ("物理学院第一党支部自查情况报告.doc", DAMAGED_DOC, "文件已损坏或不完整，可能只保存或传输了一部分"),
        ("物理学院第一党支部自查报告.odt", RANDOM, "实际内容是无法识别的数据，不是 Word 或 PDF 文档"),
    ],
    ids=[
        "random",
        "renamed-txt",
        "empty-pdf",
        "truncated-docx",
        "truncated-pdf",
        "damaged-doc",
        "random-odt",
    ],
)
def test_a_report_that_cannot_be_opened_is_rejected_as_the_branchs_report(
    tmp_path: Path, camp: Campaign, name: str, data: bytes, why: str
) -> None:
    rec = _one(tmp_path, camp, name, data)
    assert rec.outcome is Outcome.REJECTED and rec.branch == FIRST and rec.attribution == "文件名"
    assert rec.kind is None and rec.reason == f"自查报告文件无法打开（{why}）"
    [p] = rec.problems
    assert p.code == Code.REPORT_UNREADABLE and p.value == why and unreadable_report(rec) == p
    assert p.message == (
        f"文件名表明是党支部的自查报告，但文件无法打开（{why}），请重新导出为 Word 或 PDF 后发送"
    )


def test_a_report_named_only_by_its_folder_is_attributed_by_the_folder(
    tmp_path: Path, camp: Campaign
) -> None:
    rec = _one(tmp_path, camp, f"{FIRST.name}/自查报告.docx", RANDOM)
    assert rec.outcome is Outcome.REJECTED and rec.branch == FIRST and rec.attribution == "文件夹名"
    assert unreadable_report(rec) is not None


def test_an_unreadable_report_of_no_one_branch_is_still_rejected_as_a_report(
    tmp_path: Path, camp: Campaign
) -> None:
    rec = _one(tmp_path, camp, "自查报告.pdf", b"")
    assert rec.outcome is Outcome.REJECTED and rec.branch is None and unreadable_report(rec) is not None


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("物理学院第一党支部自查报告.docx", READABLE),
        ("物理学院第一党支部自查报告.odt", None),  # an OpenDocument text: _odt()
        ("物理学院第一党支部自查报告.txt", TEXT),
        ("物理学院第一党支部自查报告.rtf", rb"{\rtf1\ansi \u33258?\u26597?}"),
    ],
    ids=["docx", "odt", "txt", "rtf"],
)
def test_a_document_people_can_open_counts_as_the_branchs_report(
    tmp_path: Path, camp: Campaign, name: str, data: bytes | None
) -> None:
    rec = _one(tmp_path, camp, name, _odt() if data is None else data)
    assert rec.outcome is Outcome.REPORT and rec.branch == FIRST and rec.problems == []


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("物理学院第一党支部.docx", RANDOM, "not-a-form"),  # its name does not say 自查报告
        ("物理学院第一党支部自查报告.xlsx", b"", "file-empty"),  # a spreadsheet's name: perhaps a form
        ("物理学院第一党支部自查报告.xlsx", RANDOM, "file-not-spreadsheet"),
    ],
)
def test_only_a_file_named_as_a_report_and_not_as_a_spreadsheet_is_one(
    tmp_path: Path, camp: Campaign, name: str, data: bytes, code: str
) -> None:
    rec = _one(tmp_path, camp, name, data)
    assert [p.code for p in rec.problems] == [code] and unreadable_report(rec) is None


def test_a_document_the_tool_cannot_read_the_text_of_still_opens() -> None:
    assert unreadable_reason(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "doc") is not None
    assert unreadable_reason(READABLE, "docx") is None
    assert unreadable_reason(b"%PDF-1.4 scanned pages\n%%EOF\n", "pdf") is None


def test_collected_unreadable_reports_are_the_branches_and_not_forms(report: Report) -> None:
    recs = {f.path: f for f in report.files}
    for path, seq, how in ((CASE_A, 1, "文件名"), (CASE_B, 2, "文件名"), (IN_FOLDER, 3, "文件夹名")):
        f = recs[path]
        assert f.outcome is Outcome.REJECTED and f.branch == ROSTER[seq - 1] and f.attribution == how, path
        assert [p.code for p in f.problems] == ["report-unreadable"], path
    said = " ".join(p.message for f in report.files for p in f.problems)
    assert "不是督查表格" not in said and "党总支" not in said


def test_a_readable_report_sent_later_replaces_the_unreadable_one(report: Report) -> None:
    recs = {f.path: f for f in report.files}
    assert recs[REPLACING].outcome is Outcome.REPORT
    old = recs[REPLACED]
    assert old.outcome is Outcome.SUPERSEDED and old.reason == f"已被“{REPLACING}”替代"
    assert old.problems[-1].code == "superseded" and "之后收到的文件可以使用" in old.problems[-1].message


def test_an_unreadable_report_sent_after_the_readable_one_stays_rejected(report: Report) -> None:
    recs = {f.path: f for f in report.files}
    assert recs[COUNTED].outcome is Outcome.REPORT
    assert recs[LATER].outcome is Outcome.REJECTED and unreadable_report(recs[LATER]) is not None
