"""Nothing typed is ever hidden: 300 characters typed with LibreOffice into every free-text cell of a
personalised 附件1 and 附件2 are all on the printed page, and so is a 300-character 扣分说明 carried by a
更正表 or a 督查评分表 (their rows are generated as tall as their text)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import require_office
from office import Document, Edit, run_driver

from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import Field, a1, form_layout
from dangjian_xlsx.models import Campaign, FormKind

pytestmark = pytest.mark.office

LENGTH = 300


def long_text(tag: str) -> str:
    """300 characters no two cells share, numbered so that a cut anywhere shows: 【tag】第1句…第2句…"""
    out, n = f"【{tag}】", 1
    while len(out) < LENGTH:
        out += f"第{n}句说明{tag}的落实情况和整改措施，"
        n += 1
    return out[: LENGTH - 1] + "。"


def pdf_text(pdf: Path) -> str:
    """What `pdftotext` reads of `pdf`, whitespace and line breaks removed."""
    if shutil.which("pdftotext") is None:
        msg = "pdftotext (poppler-utils) is not installed: run `make office`"
        if os.environ.get("DJ_REQUIRE_OFFICE") == "1":
            pytest.fail(msg)  # CI installs it: a missing tool there is a failure, not a skip
        pytest.skip(msg)
    done = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, timeout=60)
    return re.sub(r"\s+", "", done.stdout.decode("utf-8"))


def missing(texts: dict[str, str], printed: str) -> list[str]:
    """The cells whose text is not printed whole, each with how much of it is (its longest printed start)."""
    out = []
    for cell, text in texts.items():
        if text not in printed:
            shown = next(n for n in range(len(text), -1, -1) if text[:n] in printed)
            out.append(f"{cell}: {shown}/{len(text)}")
    return out


def test_typed_text_is_printed_whole(tmp_path: Path, campaign: Campaign) -> None:
    """Typed with LibreOffice, printed by it. One free-text column per document: side by side, two long
    texts come out of `pdftotext` interleaved line by line."""
    require_office(uno=True)
    branch = campaign.roster[0]
    docs, typed = [], []
    for kind, fld in (
        (FormKind.SCORING, Field.NOTE),
        (FormKind.TASKS, Field.DONE),
        (FormKind.TASKS, Field.ISSUES),
    ):
        lay = form_layout(campaign.catalog, kind)
        name = f"{kind.value}_{fld.value}"
        src = tmp_path / name / form_filename(kind, branch, campaign.catalog)
        src.parent.mkdir()
        src.write_bytes(build_form(campaign, kind, branch))
        texts = {
            a1(c.row, c.col): long_text(f"{name}{a1(c.row, c.col)}") for c in lay.inputs if c.field is fld
        }
        assert texts, name
        edits = [Edit(lay.sheet, cell, text) for cell, text in texts.items()]
        docs.append(Document(src, tmp_path / "out", name, edits, ("pdf",)))
        typed.append(texts)
    result = run_driver(docs, tmp_path / "driver")
    for doc, texts in zip(docs, typed, strict=True):
        refused = [e for e in result.edits(doc) if e["status"] != "applied"]
        assert not refused, refused[:3]
        assert missing(texts, pdf_text(doc.output("pdf"))) == [], doc.name


def test_carried_text_is_printed_whole(tmp_path: Path, campaign: Campaign) -> None:
    """A 更正表 holding the branch's 300-character 扣分说明, and a 督查评分表 showing it (locked)."""
    require_office()
    cat, branch = campaign.catalog, campaign.roster[0]
    item = cat.items[0]
    note = long_text("扣分说明")
    scores: dict[tuple[Field, str], object] = {(Field.SCORE, i.id): i.points for i in cat.items}
    scores[(Field.SCORE, item.id)] = 0
    scores[(Field.NOTE, item.id)] = note
    sources = {
        "更正表": build_form(
            campaign,
            FormKind.SCORING,
            branch,
            prefill=scores,
            comments={(Field.SCORE, cat.items[1].id): "请核实得分"},
            revision=1,
        ),
        "督查评分表": build_form(campaign, FormKind.INSPECTION, branch, prefill=scores),
    }
    for name, data in sources.items():
        work = tmp_path / name
        work.mkdir()
        src = work / f"{name}.xlsx"
        src.write_bytes(data)
        profile = (work / "lo-profile").as_uri()
        cmd = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
        subprocess.run([*cmd, "--outdir", str(work), str(src)], check=True, capture_output=True, timeout=120)
        assert missing({name: note}, pdf_text(src.with_suffix(".pdf"))) == [], name
