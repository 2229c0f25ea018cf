"""自查报告 that arrive but cannot be opened, in a 党支部 round (tests/other_forms.py's forms: 附件3 / 附件4):
the files, and an inbox collected from them, for the collect, aggregate and round tests of README 汇总规则 7.

    01 物理学院第一党支部  its report is random bytes under a .docx name (case A)
    02 物理学院第二党支部  its report is an empty .pdf (case B)
    03 物理学院第三党支部  a renamed .txt as 自查报告.docx, in a folder named after it
    04 化学学院党支部      a truncated .docx, then a readable report sent later (which replaces it)
    05 生物学院党支部      a readable report, then a damaged .doc sent later (the readable one still counts)
"""

from __future__ import annotations

import os
from pathlib import Path

from hostile_inbox import MINI_PDF, docx, paragraph
from other_forms import write_xlsx

from dangjian_xlsx.catalog import default_campaign, read_forms
from dangjian_xlsx.collect import run_collect
from dangjian_xlsx.models import Branch, Campaign, Report

ROSTER = tuple(
    Branch(seq=i, name=name)
    for i, name in enumerate(
        (
            "物理学院第一党支部",
            "物理学院第二党支部",
            "物理学院第三党支部",
            "化学学院党支部",
            "生物学院党支部",
        ),
        1,
    )
)
RANDOM = bytes(range(256)) * 12  # no document, no text
TEXT = "物理学院第三党支部自查报告\n一、基本情况\n".encode()
READABLE = docx(paragraph("关于全面从严治党主体责任落实情况的自查报告"))
TRUNCATED_DOCX = READABLE[:-40]  # the zip's central directory cut off
TRUNCATED_PDF = MINI_PDF[:60]  # no %%EOF
DAMAGED_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + bytes(200)
T0 = 1_538_000_000  # 2018-09-27

CASE_A = "物理学院第一党支部自查报告.docx"
CASE_B = "物理学院第二党支部自查报告.pdf"
IN_FOLDER = "物理学院第三党支部/自查报告.docx"
REPLACED, REPLACING = "化学学院党支部自查报告.docx", "化学学院党支部自查报告(重新导出).docx"
COUNTED, LATER = "生物学院党支部自查报告.docx", "生物学院党支部自查报告(修改).doc"


def report_campaign(folder: Path) -> Campaign:
    catalog = read_forms(write_xlsx(folder / "表格内容.xlsx"))
    return default_campaign().model_copy(update={"catalog": catalog, "roster": ROSTER})


def write(inbox: Path, name: str, data: bytes, mtime: int = T0) -> Path:
    path = inbox / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


def collect_reports(folder: Path) -> Report:
    """The inbox of the module docstring, collected."""
    camp = report_campaign(folder)
    inbox = folder / "收件"
    write(inbox, CASE_A, RANDOM)
    write(inbox, CASE_B, b"")
    write(inbox, IN_FOLDER, TEXT)
    write(inbox, REPLACED, TRUNCATED_DOCX)
    write(inbox, REPLACING, READABLE, T0 + 3600)
    write(inbox, COUNTED, READABLE)
    write(inbox, LATER, DAMAGED_DOC, T0 + 3600)
    return run_collect(inbox, camp)
