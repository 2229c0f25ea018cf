"""Pages that look like an official table (issue 17, item 2): the rows flow onto the pages — a section is
split over two pages only where its rest does not fit, never inside a row — so no page but the last is left
mostly empty, the column header row is on every page, every page is numbered, and 附件2's 20 tasks print on
at most 3 A4 pages.

The office tests print through LibreOffice (one session) the blank 附件1 and 附件2, both filled with
realistic text typed into LibreOffice, a 更正表 from a collect with a problem and a 督查评分表 from the
inspect step, and read the PDFs with poppler. The fast tests model Excel's fit-to-width print of the
workbooks as written (column widths and row heights read back with openpyxl)."""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from conftest import require_office
from fill import fill_form, full_scores
from office import Document, Edit, run_driver

from dangjian_xlsx import layout
from dangjian_xlsx.collect import run_collect
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import Field, a1, form_layout
from dangjian_xlsx.models import Campaign, FormKind
from dangjian_xlsx.round import build_inspections, build_pack

S1, S2, INSP = FormKind.SCORING, FormKind.TASKS, FormKind.INSPECTION
MAX_TASK_PAGES = 3  # 附件2 at the notice's content (issue 17)
MIN_FILL = 1 / 3  # every page but the last at least a third full
DATE = dt.date(2018, 9, 28)


# ---------------------------------------------------------------- what a branch writes


def deduction_note(n: int) -> str:
    return (
        f"会议记录不完整：本年度有{n % 3 + 2}次支部委员会会议未形成书面记录，部分学习材料未及时归档；"
        f"已安排专人补记，建立工作台账并按月检查，佐证材料见附件{n}。"
    )


def evidence_note(n: int) -> str:
    return f"佐证材料：会议记录、学习笔记、工作台账及相关文件（见附件{n}）。"


def done_text(n: int) -> str:
    return (
        f"已按要求完成。本年度召开党总支会议{n + 6}次、专题学习{n % 4 + 3}次，制定并印发相关实施办法，"
        f"建立工作台账，每月检查落实情况，相关会议纪要和文件已归档（佐证材料见附件{n}）。"
    )


def issues_text(n: int) -> str:
    return (
        f"部分党支部落实不够均衡，个别记录不够规范；下一步将加强督促检查，每季度通报一次，"
        f"年底前全部整改到位（第{n}项）。"
    )


def scoring_values(campaign: Campaign) -> dict[tuple[Field, str], object]:
    """A 附件1 as a branch fills it: every score, a deduction explained on every fourth item, the evidence
    named on the others."""
    values: dict[tuple[Field, str], object] = {(Field.DATE, ""): DATE}
    for n, item in enumerate(campaign.catalog.items, start=1):
        deducted = n % 4 == 0
        values[(Field.SCORE, item.id)] = item.points - 1 if deducted else item.points
        values[(Field.NOTE, item.id)] = deduction_note(n) if deducted else evidence_note(n)
    return values


def task_values(campaign: Campaign) -> dict[tuple[Field, str], object]:
    """A 附件2 as a branch fills it: every task described, every fifth one still in progress, with its
    problems and measures."""
    cat = campaign.catalog
    values: dict[tuple[Field, str], object] = {(Field.DATE, ""): DATE}
    for n, task in enumerate(cat.tasks, start=1):
        open_ = n % 5 == 0
        values[(Field.STATUS, task.id)] = cat.open_statuses[0] if open_ else cat.done_status
        values[(Field.DONE, task.id)] = done_text(n)
        if open_:
            values[(Field.ISSUES, task.id)] = issues_text(n)
    return values


def typed(campaign: Campaign, kind: FormKind, values: dict[tuple[Field, str], object]) -> list[Edit]:
    """The values typed into LibreOffice one cell after the other, as a person would."""
    lay = form_layout(campaign.catalog, kind)
    edits = []
    for (fld, ref), value in values.items():
        text = value.isoformat() if isinstance(value, dt.date) else value
        edits.append(Edit(lay.sheet, lay.input(fld, ref).a1, text))
    return edits


# ---------------------------------------------------------------- reading the PDF


def require_poppler() -> None:
    if shutil.which("pdftotext") and shutil.which("pdftoppm"):
        return
    msg = "pdftotext / pdftoppm (poppler-utils) are not installed: run `make office`"
    if os.environ.get("DJ_REQUIRE_OFFICE") == "1":
        pytest.fail(msg)  # CI installs them: a missing tool there is a failure, not a skip
    pytest.skip(msg)


@dataclass
class Word:
    top: float  # pt from the top of the page
    bottom: float
    text: str  # whitespace removed


@dataclass
class Page:
    text: str  # what pdftotext reads, whitespace removed
    words: list[Word]  # pdftotext's words (a cell's lines) with their places
    fill: float  # the lowest ink above the page-number footer, as a share of the page height

    def shows(self, text: str, header: str) -> bool:
        """Whether the first line of `text` is printed below the column header row `header` starts with.
        LibreOffice also writes the text of a cell continued from the page before, above the page's rows
        where it is clipped away (unseen): only what lies below the header row is on the page."""
        head = next(w for w in self.words if w.text == squeeze(header))
        want = squeeze(text)
        return any(w.top > head.bottom and len(w.text) >= 4 and want.startswith(w.text) for w in self.words)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def words_per_page(pdf: Path) -> list[list[Word]]:
    """pdftotext's words of every page with their places (poppler leaves out what lies off the page)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode("utf-8")
    word = re.compile(r'<word xMin="[-\d.]+" yMin="([-\d.]+)" xMax="[-\d.]+" yMax="([-\d.]+)">([^<]*)</word>')
    return [
        [Word(float(m[1]), float(m[2]), squeeze(html.unescape(m[3]))) for m in word.finditer(page)]
        for page in out.split("<page ")[1:]
    ]


def ink_bottoms(pdf: Path, work: Path, dpi: int = 36) -> list[tuple[list[int], int]]:
    """Per page: the pixel rows holding ink (grey < 160) and the page height in pixels."""
    prefix = work / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), str(prefix)], check=True, timeout=120)
    pages = sorted(work.glob(f"{pdf.stem}-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    out = []
    for path in pages:
        data = path.read_bytes()
        m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", data)
        assert m, path
        w, h = int(m[1]), int(m[2])
        pixels = data[m.end() :]
        out.append(([y for y in range(h) if min(pixels[y * w : (y + 1) * w]) < 160], h))
    return out


def read_pages(pdf: Path, work: Path) -> list[Page]:
    """The form's pages of a printed workbook (the 填表说明 sheet, printed after the form, left out)."""
    texts = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode("utf-8")
    flat = [squeeze(t) for t in texts.split("\f")[:-1]]
    form = next(i for i, t in enumerate(flat) if "填表说明" in t)  # the guide's title
    work.mkdir(parents=True, exist_ok=True)
    inks, words = ink_bottoms(pdf, work), words_per_page(pdf)
    assert len(inks) == len(flat) == len(words), pdf.name
    pages = []
    for text, (rows, h), page_words in zip(flat[:form], inks[:form], words[:form], strict=True):
        footer = max(w.top for w in page_words)  # the page number: the lowest line of words
        cut = min(w.top for w in page_words if w.top > footer - 4) / 72 * 36 - 1  # pt → px at 36 dpi
        body = [y for y in rows if y < cut]
        pages.append(Page(text, page_words, (max(body) + 1) / h if body else 0.0))
    return pages


# ---------------------------------------------------------------- the printed forms


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory, campaign: Campaign) -> dict[str, list[Page]]:
    """Six workbooks printed by LibreOffice in one session → their form pages."""
    require_office(uno=True)
    require_poppler()
    work = tmp_path_factory.mktemp("pages")
    branch = campaign.roster[0]
    sources: dict[str, tuple[bytes, list[Edit]]] = {
        "附件1空白": (build_form(campaign, S1), []),
        "附件2空白": (build_form(campaign, S2), []),
        "附件1已填": (build_form(campaign, S1, branch), typed(campaign, S1, scoring_values(campaign))),
        "附件2已填": (build_form(campaign, S2, branch), typed(campaign, S2, task_values(campaign))),
        **returned_copies(work / "inbox", campaign),
    }
    docs = []
    for name, (data, edits) in sources.items():
        src = work / "in" / f"{name}.xlsx"
        src.parent.mkdir(exist_ok=True)
        src.write_bytes(data)
        docs.append(Document(src, work / "out", name, edits, ("pdf",)))
    result = run_driver(docs, work / "driver")
    for doc in docs:
        refused = [e for e in result.edits(doc) if e["status"] != "applied"]
        assert not refused, refused[:3]
    return {doc.name: read_pages(doc.output("pdf"), work / "png" / doc.name) for doc in docs}


def returned_copies(inbox: Path, campaign: Campaign) -> dict[str, tuple[bytes, list[Edit]]]:
    """A collect of one branch's 附件1 — its notes written, one score over the item's points — and what the
    round makes of it: the 更正表 of the 退回修改 pack and the inspectors' 督查评分表."""
    camp = campaign.model_copy(update={"roster": campaign.roster[:1]})
    branch, cat = camp.roster[0], camp.catalog
    values = full_scores(cat) | {k: v for k, v in scoring_values(camp).items() if k[0] is Field.NOTE}
    values[(Field.SCORE, cat.items[0].id)] = cat.items[0].points + 5  # over the points: to correct
    fill_form(build_form(camp, S1, branch), inbox / form_filename(S1, branch), values)
    report = run_collect(inbox, camp, jobs=1)
    copies = [data for name, data in build_pack(report) if name.endswith("_更正.xlsx")]
    inspections = [data for _name, data in build_inspections(report)]
    assert len(copies) == 1 and len(inspections) == 1
    return {"更正表": (copies[0], []), "督查评分表": (inspections[0], [])}


NAMES = ("附件1空白", "附件2空白", "附件1已填", "附件2已填", "更正表", "督查评分表")
KIND_OF = dict(zip(NAMES, (S1, S2, S1, S2, S1, INSP), strict=True))


@pytest.mark.office
@pytest.mark.parametrize("name", NAMES)
def test_no_page_is_left_mostly_empty(printed: dict[str, list[Page]], name: str) -> None:
    pages = printed[name]
    fills = [round(p.fill, 2) for p in pages]
    assert len(pages) >= 2, f"{name}: one page proves nothing about page breaks"
    assert all(f >= MIN_FILL for f in fills[:-1]), f"{name}: page fill {fills}"


@pytest.mark.office
@pytest.mark.parametrize("name", NAMES)
def test_header_row_and_page_number_on_every_page(printed: dict[str, list[Page]], name: str) -> None:
    pages = printed[name]
    columns = [squeeze(c) for c in layout.COLUMNS[KIND_OF[name]]]
    for n, page in enumerate(pages, start=1):
        missing = [c for c in columns if c not in page.text]
        assert not missing, f"{name} page {n}: column headers {missing} not printed"
        assert re.search(rf"第{n}页共\d+页", page.text), f"{name} page {n}: no page number"


@pytest.mark.office
def test_a_split_section_prints_its_label_where_it_starts(
    printed: dict[str, list[Page]], campaign: Campaign
) -> None:
    """A section (附件2: a group) split over two pages prints its label once, on the page of its first
    item: not at the break, nor on both pages."""
    cat, split = campaign.catalog, []
    for name, pages in printed.items():
        kind = KIND_OF[name]
        header = layout.COLUMNS[kind][0]
        if kind is S2:
            blocks = {g.title: [t.text for t in g.tasks] for g in cat.form2.groups}
        else:
            blocks = {s.label: [i.text for i in s.items] for s in cat.sections}
        for label, texts in blocks.items():
            where = [n for n, p in enumerate(pages) if any(p.shows(t, header) for t in texts)]
            labelled = [n for n, p in enumerate(pages) if p.shows(label, header)]
            assert where and labelled == where[:1], (
                f"{name} {label}: label on pages {labelled}, items {where}"
            )
            if len(where) > 1:
                split.append(f"{name} {label}")
    assert split, "no section is split over pages: this test proves nothing"


@pytest.mark.office
def test_tasks_print_on_three_pages(printed: dict[str, list[Page]]) -> None:
    counts = {name: len(pages) for name, pages in printed.items()}
    assert counts["附件2空白"] <= MAX_TASK_PAGES, counts


# ---------------------------------------------------------------- the print as Excel makes it (fast)

A4_SHORT, A4_LONG = 595.28, 841.89  # pt


@dataclass
class Sheet:
    """What a program needs to paginate a form sheet: the page, widths and heights, breaks, print titles."""

    page_width: float  # pt inside the left and right margins
    page_height: float  # pt inside the top and bottom margins
    columns_px: list[int]
    heights: list[float]  # every row of the print area, pt
    breaks: set[int]  # 0-based rows starting a page by hand
    repeat: list[int]  # 0-based rows printed on top of every page


def sheet_of(data: bytes, kind: FormKind) -> Sheet:
    ws = openpyxl.load_workbook(io.BytesIO(data))[layout.SHEET_BY_KIND[kind]]
    setup, margins = ws.page_setup, ws.page_margins
    assert setup.paperSize == 9 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0  # fitted to the page width only
    wide, tall = (A4_LONG, A4_SHORT) if setup.orientation == "landscape" else (A4_SHORT, A4_LONG)
    area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
    last_col, last_row = re.search(r"\$([A-Z]+)\$(\d+)$", area).groups()
    ncols = openpyxl.utils.column_index_from_string(last_col)
    # Excel's pixels of a column <width> (a font whose digits are 7 px wide, as the workbook's default)
    px = [int((256 * ws.column_dimensions[layout.col_letter(c)].width + 18) / 256 * 7) for c in range(ncols)]
    rows = re.fullmatch(r"\$(\d+):\$(\d+)", ws.print_title_rows or "")
    return Sheet(
        page_width=wide - (margins.left + margins.right) * 72,
        page_height=tall - (margins.top + margins.bottom) * 72,
        columns_px=px,
        heights=[ws.row_dimensions[r].height or 15 for r in range(1, int(last_row) + 1)],
        breaks={b.id for b in ws.row_breaks.brk},
        repeat=list(range(int(rows[1]) - 1, int(rows[2]))) if rows else [],
    )


def paginate(sheet: Sheet) -> list[float]:
    """How full each page is (share of the printable height) when printed fitted to the page width: the
    scale as Excel picks it (whole percent), rows flowing onto a page until the next does not fit or a
    manual break starts a new one, the print title rows on top of every later page."""
    scale = min(100, math.floor(sheet.page_width / (sum(sheet.columns_px) * 0.75) * 100)) / 100
    room = sheet.page_height / scale
    title = sum(sheet.heights[r] for r in sheet.repeat)
    fills, used = [], 0.0
    for row, height in enumerate(sheet.heights):
        if used and (row in sheet.breaks or used + height > room) and row > max(sheet.repeat, default=-1):
            fills.append(used / room)
            used = title
        used += height
    return [*fills, used / room]


def test_paginate_model() -> None:
    """The model itself: rows flow, a manual break starts a page, the title rows repeat."""
    page = Sheet(500.0, 300.0, [400], [30, 100, 100, 100, 100], set(), [0])
    assert [round(f, 2) for f in paginate(page)] == [0.77, 0.77]  # 30+100+100 | 30+100+100
    page.breaks = {2}
    assert [round(f, 2) for f in paginate(page)] == [0.43, 0.77, 0.43]
    wide = Sheet(500.0, 300.0, [1000], [30, 100, 100, 100, 100], set(), [0])  # printed at 66 %
    assert len(paginate(wide)) == 1


def test_rows_flow_without_manual_breaks(campaign: Campaign) -> None:
    """No manual page break: breaks fixed when the form is made are wrong once typed text grows the rows."""
    cat, branch = campaign.catalog, campaign.roster[0]
    books = {
        S1: build_form(campaign, S1, prefill=scoring_values(campaign)),
        S2: build_form(campaign, S2, branch, prefill=task_values(campaign)),
        INSP: build_form(campaign, INSP, branch, prefill=full_scores(cat)),
    }
    for kind, data in books.items():
        assert sheet_of(data, kind).breaks == set(), kind


@pytest.mark.parametrize("kind", (S1, S2), ids=lambda k: k.value)
def test_blank_forms_fill_their_pages(campaign: Campaign, kind: FormKind) -> None:
    """Printed as Excel does it: 附件2 on at most 3 pages, no page but the last under a third full."""
    fills = paginate(sheet_of(build_form(campaign, kind), kind))
    assert all(f >= MIN_FILL for f in fills[:-1]), fills
    if kind is S2:
        assert len(fills) <= MAX_TASK_PAGES, [round(f, 2) for f in fills]


@pytest.mark.parametrize("kind", (S1, S2, INSP), ids=lambda k: k.value)
def test_a_section_split_over_pages_keeps_its_label_whole(campaign: Campaign, kind: FormKind) -> None:
    """A section's merged 序号 / 项目 / 小计 (附件2: 类别) cells hold their text at the top, and the section's
    first row alone is tall enough for its label: a page break after any of its rows leaves the label whole
    on the page where the section starts, never cut or printed at the break."""
    data = build_form(campaign, kind, campaign.roster[0])
    ws = openpyxl.load_workbook(io.BytesIO(data))[layout.SHEET_BY_KIND[kind]]
    widths = layout.WIDTHS[kind]
    label_cols = {S1: (layout.C_NUMERAL, layout.C_SECTION, layout.C_SUBTOTAL), S2: (layout.C_GROUP,)}.get(
        kind, (layout.C_NUMERAL, layout.C_SECTION)
    )
    for _sid, first, last in form_layout(campaign.catalog, kind).section_spans:
        for col in label_cols:
            cell = ws[a1(first, col)]
            if last > first:
                assert f"{cell.coordinate}:{a1(last, col)}" in ws.merged_cells, cell.coordinate
            assert cell.alignment.vertical == "top", cell.coordinate
            if col == layout.C_SUBTOTAL:
                continue
            per_line = max(1, int((widths[col] * 7 + 5 - 6) // (11 * 96 / 72)))  # 11 pt characters
            lines = math.ceil(sum(0.5 if ch.isascii() else 1.0 for ch in str(cell.value)) / per_line)
            assert (ws.row_dimensions[first + 1].height or 15) >= lines * 14.25, cell.coordinate
