"""The blank forms printed by LibreOffice: A4, header row on every page, no column cut off, all text there."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from conftest import require_office

from dangjian_xlsx import layout
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.forms.style import TODO_FILL
from dangjian_xlsx.layout import Field
from dangjian_xlsx.models import Campaign, FormKind

pytestmark = pytest.mark.office

A4 = (595.28, 841.89)
KINDS = (FormKind.SCORING, FormKind.TASKS)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory, campaign: Campaign) -> dict[FormKind, Path]:
    require_office()
    work = tmp_path_factory.mktemp("pdf")
    sources = []
    for kind in KINDS:
        src = work / form_filename(kind)
        src.write_bytes(build_form(campaign, kind))
        sources.append(str(src))
    profile = (work / "lo-profile").as_uri()  # a private profile: parallel runs do not clash
    cmd = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run(
        [*cmd, "--outdir", str(work), *sources],
        check=True,
        capture_output=True,
        timeout=120,
    )
    out = {kind: work / form_filename(kind).replace(".xlsx", ".pdf") for kind in KINDS}
    for path in out.values():
        assert path.is_file(), f"LibreOffice wrote no {path.name}"
    return out


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def form_pages(reader: pypdf.PdfReader) -> tuple[list[str], list[str]]:
    """(form page texts, 填表说明 page texts): the guide sheet is printed after the form."""
    texts = [page.extract_text() or "" for page in reader.pages]
    first_guide = next(i for i, t in enumerate(texts) if "填表说明" in t)
    return texts[:first_guide], texts[first_guide:]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_pages_are_a4(pdfs: dict[FormKind, Path], kind: FormKind) -> None:
    reader = pypdf.PdfReader(pdfs[kind])
    pages, guide = form_pages(reader)
    assert 2 <= len(pages) <= 6 and len(guide) == 1
    for page in reader.pages:
        size = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert abs(size[0] - A4[0]) <= 2 and abs(size[1] - A4[1]) <= 2, size


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_header_row_and_all_columns_on_every_page(pdfs: dict[FormKind, Path], kind: FormKind) -> None:
    pages, guide = form_pages(pypdf.PdfReader(pdfs[kind]))
    assert len(pages) >= 2, "the form should need more than one page, or this test proves nothing"
    assert guide, "the 填表说明 sheet is printed too"
    columns = [squeeze(c) for c in layout.COLUMNS[kind]]
    for n, text in enumerate(pages, start=1):
        flat = squeeze(text)
        for col in columns:  # the repeated column-header row, first to last column: nothing cut off
            assert col in flat, f"page {n}: column header {col!r} missing"
        assert f"第{n}页共{len(pages) + len(guide)}页" in flat, f"page {n}: no page number footer"


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_every_item_is_printed(pdfs: dict[FormKind, Path], campaign: Campaign, kind: FormKind) -> None:
    pages, _ = form_pages(pypdf.PdfReader(pdfs[kind]))
    flat = squeeze("".join(pages))
    cat = campaign.catalog
    texts = [i.text for i in cat.items] if kind is FormKind.SCORING else [t.text for t in cat.tasks]
    missing = [t[:12] for t in texts if squeeze(t) not in flat]
    assert not missing, f"not printed in full: {missing}"
    assert squeeze(layout.title(cat, kind)) in flat
    labels = (
        [s.label for s in cat.sections] if kind is FormKind.SCORING else [g.title for g in cat.form2.groups]
    )
    assert [lab for lab in labels if squeeze(lab) not in flat] == []


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_guide_is_printed(pdfs: dict[FormKind, Path], campaign: Campaign, kind: FormKind) -> None:
    _, guide = form_pages(pypdf.PdfReader(pdfs[kind]))
    flat = squeeze("".join(guide))
    assert "2018年9月30日前" in flat
    assert "不要修改文件名" in flat and ".xlsx" in flat


YELLOW = bytes.fromhex(TODO_FILL.lstrip("#"))


def yellow_bands(pdf: Path, work: Path) -> list[tuple[int, int]]:
    """The horizontal bands (first, last pixel row) of page 1 holding the fill-me yellow, as printed."""
    subprocess.run(["pdftoppm", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(work / "p")], check=True)
    data = next(work.glob("p*.ppm")).read_bytes()
    _magic, size, _depth, pixels = data.split(b"\n", 3)
    w, h = map(int, size.split())
    rows = [
        y for y in range(h) if YELLOW in {pixels[(y * w + x) * 3 : (y * w + x) * 3 + 3] for x in range(w)}
    ]
    bands: list[tuple[int, int]] = []
    for y in rows:
        if bands and bands[-1][1] == y - 1:
            bands[-1] = (bands[-1][0], y)
        else:
            bands.append((y, y))
    return bands


def test_yellow_follows_what_is_typed(tmp_path: Path, campaign: Campaign) -> None:
    """LibreOffice evaluates the fill-me rules: with every score, status and the date typed, only the 扣分说明
    of the one deducted item and the 整改措施 of the one unfinished task print yellow — not the optional
    扣分说明 of full-score items nor the 整改措施 of finished tasks."""
    require_office()
    if shutil.which("pdftoppm") is None:
        msg = "pdftoppm (poppler-utils) is not installed: run `make office`"
        if os.environ.get("DJ_REQUIRE_OFFICE") == "1":
            pytest.fail(msg)  # CI installs it: a missing tool there is a failure, not a skip
        pytest.skip(msg)
    cat, branch = campaign.catalog, campaign.roster[0]
    date = {(Field.DATE, ""): campaign.self_check_end}
    scores: dict[tuple[Field, str], object] = {(Field.SCORE, i.id): i.points for i in cat.items}
    scores[(Field.SCORE, cat.items[0].id)] = 0  # a deduction without its 扣分说明
    scores[(Field.SCORE, cat.items[1].id)] = 0
    scores[(Field.NOTE, cat.items[1].id)] = "会议记录不全"  # a deduction explained
    tasks: dict[tuple[Field, str], object] = {(Field.STATUS, t.id): cat.done_status for t in cat.tasks}
    tasks |= {(Field.DONE, t.id): "按要求完成" for t in cat.tasks}
    tasks[(Field.STATUS, cat.tasks[0].id)] = cat.open_statuses[-1]  # 未完成, no 整改措施
    for kind, prefill in ((FormKind.SCORING, scores), (FormKind.TASKS, tasks)):
        work = tmp_path / kind.value
        work.mkdir()
        src = work / form_filename(kind)
        src.write_bytes(build_form(campaign, kind, branch, prefill=prefill | date))
        profile = (work / "lo-profile").as_uri()
        cmd = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
        subprocess.run(
            [*cmd, "--outdir", str(work), str(src)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        assert len(yellow_bands(src.with_suffix(".pdf"), work)) == 1, kind
