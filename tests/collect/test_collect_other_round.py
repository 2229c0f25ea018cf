"""Collecting in a round of 党支部 (tests/other_forms.py's forms: 附件3/附件4, half points, three statuses):
every message and reason of the report names the round's unit and attachments, never 党总支."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fill import Key, clean_values, fill_form, remove_sheet
from other_forms import write_xlsx

from dangjian_xlsx.catalog import default_campaign, read_forms
from dangjian_xlsx.collect import run_collect
from dangjian_xlsx.collect.classify import unattributed_report_reason
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.layout import Field
from dangjian_xlsx.messages import Code
from dangjian_xlsx.models import Branch, Campaign, FileRecord, FormKind, Outcome, Report

B1, B2, B3 = ROSTER = (
    Branch(seq=1, name="文学院第一党支部"),
    Branch(seq=2, name="机关党支部"),
    Branch(seq=3, name="图书馆党支部"),
)
DAY = dt.date(2018, 9, 28)


def other_campaign(folder: Path) -> Campaign:
    catalog = read_forms(write_xlsx(folder / "表格内容.xlsx"))
    return default_campaign().model_copy(update={"catalog": catalog, "roster": ROSTER})


def docx(text: str) -> bytes:
    """A minimal Word document with one paragraph."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>',
        )
    return buf.getvalue()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    root = tmp_path_factory.mktemp("other")
    camp = other_campaign(root)
    cat = camp.catalog
    inbox = root / "收件"
    s1, s2 = clean_values(cat, FormKind.SCORING), clean_values(cat, FormKind.TASKS)

    def form(kind: FormKind, branch: Branch | None, name: str, values: dict[Key, object], **kw: Any) -> Path:
        return fill_form(build_form(camp, kind, branch), inbox / name, values, catalog=cat, **kw)

    form(FormKind.SCORING, B1, "01_文学院第一党支部_附件1_评分表.xlsx", s1)
    form(FormKind.TASKS, B1, "机关党支部/01_附件2.xlsx", s2)  # B1's form in B2's folder: 身份存疑
    form(FormKind.TASKS, B2, "02_附件2.xlsx", s2)
    later = dt.datetime(2018, 9, 29, 9, 0)
    newer = form(FormKind.TASKS, B2, "02_附件2(1).xlsx", {**s2, (Field.DONE, "T01"): "补充"}, saved_at=later)
    os.utime(newer, (newer.stat().st_mtime + 60, newer.stat().st_mtime + 60))
    form(FormKind.SCORING, None, "化学学院_附件1.xlsx", {**s1, (Field.BRANCH, ""): "化学学院党支部"})
    (inbox / "自查报告.docx").write_bytes(docx("自查报告"))
    inspected = {(Field.DATE, ""): DAY, **{(Field.INSP_SCORE, i.id): i.points for i in cat.items}}
    form(FormKind.INSPECTION, B3, "03_督查评分表.xlsx", inspected)  # B3 sent no 附件3
    form(FormKind.TASKS, B3, "x.xlsx", s2, edit=remove_sheet("_meta"))  # told by its header: 表头党支部名称
    (inbox / "图书馆_附件4.xlsx").write_bytes(b"not a workbook at all")  # told by its name: B3's 附件4
    return run_collect(inbox, camp)


def records(report: Report) -> dict[str, FileRecord]:
    return {f.path: f for f in report.files}


def test_nothing_the_report_says_names_another_unit(report: Report) -> None:
    said = [f.reason for f in report.files] + [p.message for f in report.files for p in f.problems]
    assert [s for s in said if "党总支" in s] == []
    assert len([s for s in said if "党支部" in s]) >= 6


def test_each_outcome_names_the_rounds_unit(report: Report) -> None:
    got = records(report)
    assert got["01_文学院第一党支部_附件1_评分表.xlsx"].outcome is Outcome.ACCEPTED

    doubt = got["机关党支部/01_附件2.xlsx"]
    assert doubt.outcome is Outcome.IDENTITY_DOUBT and doubt.claimant == B2
    [p] = [p for p in doubt.problems if p.code == Code.IDENTITY_DOUBT]
    assert "无法确定是哪个党支部交回的，本文件暂不计入任何党支部" in p.message

    old, new = got["02_附件2.xlsx"], got["02_附件2(1).xlsx"]
    assert old.outcome is Outcome.SUPERSEDED and new.outcome is Outcome.ACCEPTED
    [p] = [p for p in old.problems if p.code == Code.SUPERSEDED]
    assert p.message.startswith("已被同一党支部更新的文件“02_附件2(1).xlsx”替代")

    unknown = got["化学学院_附件1.xlsx"]
    assert unknown.outcome is Outcome.REJECTED and unknown.reason == "党支部不在名单中"
    assert unknown.problems[0].field == "党支部名称"

    report_doc = got["自查报告.docx"]
    assert report_doc.outcome is Outcome.REPORT and report_doc.reason == unattributed_report_reason("党支部")
    assert report_doc.reason == "自查报告（无法判断所属党支部，请改名为“党支部名称+自查报告”）"
    assert (
        "请改名为“党支部名称+自查报告”（例如“文学院第一党支部自查报告.docx”）"
        in report_doc.problems[0].message
    )


def test_an_inspection_without_the_branchs_form_names_the_rounds_attachment(report: Report) -> None:
    insp = records(report)["03_督查评分表.xlsx"]
    assert insp.outcome is Outcome.WARNINGS
    [p] = insp.problems
    assert p.code == Code.INSPECTION_NO_FORM1
    assert p.message == "该党支部没有已接收的附件3评分表，自评得分按督查表中锁定的数值计算"


def test_rejected_files_are_attributed_by_the_rounds_header_and_attachment(report: Report) -> None:
    got = records(report)
    no_meta = got["x.xlsx"]
    assert no_meta.outcome is Outcome.REJECTED and no_meta.problems[0].code == Code.META_MISSING
    assert (no_meta.branch, no_meta.attribution, no_meta.kind) == (B3, "表头党支部名称", FormKind.TASKS)
    broken = got["图书馆_附件4.xlsx"]
    assert broken.outcome is Outcome.REJECTED
    assert (broken.branch, broken.attribution, broken.kind) == (B3, "文件名", FormKind.TASKS)
