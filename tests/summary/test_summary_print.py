"""Issue 17, item 4: the summary workbook on paper. Printed by LibreOffice to PDF for 25 branches: at most 25
A4 pages, 总览 on one, every page with the round's title and its sheet's name at the top, its page number at
the bottom, the sheet's header row, and nothing past the right margin. The print settings themselves are read
from the workbook's XML (fast, no office).

Expected values come from the workbook read back (its print titles, print areas, margins, cell texts and
fonts) and from what the test put into the inbox, never from the code that wrote it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pypdf
import pytest
from conftest import require_office
from office import Document, run_driver
from openpyxl.utils import range_boundaries
from print_inbox import build_print_summary, print_campaign
from synthetic import GENERATED_AT, form1, form2, report

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.models import Campaign
from dangjian_xlsx.summary import write_summary

# openpyxl does not read Excel 2010 data-bar extensions (the rules are not what is tested here)
pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")

MAX_PAGES = 25  # for 25 branches (issue 17)
OVERVIEW = "总览"
FOOTER = "第 &P 页，共 &N 页"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def units(text: str) -> float:
    """Width of one line of `text` in character widths of a digit: a CJK character is two."""
    return max(sum(2 if ord(ch) > 0x2E7F else 1 for ch in part) for part in text.split("\n"))


# ---------------------------------------------------------------- a summary for 25 branches, no office


@pytest.fixture(scope="module")
def campaign25() -> Campaign:
    return print_campaign()


@pytest.fixture(scope="module")
def fast_summary(campaign25: Campaign, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The summary of 25 branches' collected forms (records built directly: no files read): every third
    branch has a task not done, every branch a deduction."""
    files = []
    cat = campaign25.catalog
    for b in campaign25.roster:
        lost = cat.items[b.seq % len(cat.items)]
        files.append(form1(campaign25, b, {lost.id: 0.0}, {lost.id: "会议记录不全，佐证材料缺少两次"}))
        statuses = {cat.tasks[b.seq % len(cat.tasks)].id: cat.statuses[1]} if b.seq % 3 == 0 else {}
        files.append(form2(campaign25, b, statuses))
    tables, ov = ag.tables_and_overview(report(campaign25, files))
    out = tmp_path_factory.mktemp("print") / "汇总表.xlsx"
    return write_summary(tables, ov, out, campaign25, GENERATED_AT)


@pytest.fixture(scope="module")
def book(fast_summary: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(fast_summary)


def title_rows(ws) -> tuple[int, int]:
    """The first and last rows repeated on every printed page (openpyxl reads them as '$3:$4')."""
    first, last = ws.print_title_rows.replace("$", "").split(":")
    return int(first), int(last)


def header_row(ws) -> int:
    """The last row repeated on every printed page: the table's header."""
    return title_rows(ws)[1]


def printed_columns(ws) -> int:
    """How many columns the sheet prints (its print area, or every column)."""
    if not ws.print_area:
        return ws.max_column
    area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
    return range_boundaries(area.split("!")[-1].replace("$", ""))[2]


def test_every_sheet_prints_a4_landscape_one_page_wide_with_title_and_page_numbers(
    book: openpyxl.Workbook, campaign25: Campaign
) -> None:
    heading = f"{campaign25.school}{campaign25.title}汇总表"
    for ws in book.worksheets:
        setup = ws.page_setup
        assert (setup.paperSize, setup.orientation) == (9, "landscape"), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (setup.fitToWidth or 1) == 1, ws.title  # one page wide (1 is the default, left unwritten)
        assert ws.oddHeader.left.text == heading and ws.oddHeader.right.text == ws.title, ws.title
        assert ws.oddFooter.center.text == FOOTER, ws.title
        assert ws.print_title_rows, ws.title  # the header rows on every page
    overview = book[OVERVIEW].page_setup
    assert (overview.fitToHeight or 1) == 1  # one page tall too
    assert all(ws.page_setup.fitToHeight == 0 for ws in book.worksheets if ws.title != OVERVIEW)


def test_scores_sheet_shows_every_name_within_the_print_width(book: openpyxl.Workbook) -> None:
    """得分汇总: a name wider than its column wraps onto lines its row is tall enough for; the printed columns
    end with the sections (the file names, on screen, come after them)."""
    ws = book["得分汇总"]
    top = header_row(ws)
    head = {c.value: c.column_letter for c in ws[top] if c.value}
    col = head["党总支"]
    width = ws.column_dimensions[col].width
    long_names = 0
    for row in range(top + 1, ws.max_row + 1):
        cell = ws[f"{col}{row}"]
        need = units(cell.value) * cell.font.sz / 10 + 1  # a digit's width is that of a 10-point one
        if need <= width:
            continue
        long_names += 1
        lines = -(-need // (width - 1))
        assert cell.alignment.wrap_text, cell.value
        assert ws.row_dimensions[row].height >= lines * cell.font.sz, (cell.value, lines)
    assert long_names >= 2, "the roster's long names should need wrapping, or this test proves nothing"
    last = printed_columns(ws)
    printed = [ws.cell(top, c).value for c in range(1, last + 1)]
    assert "自评总分" in printed and printed[-1].startswith("十二、")
    files = [c for c in range(last + 1, ws.max_column + 1) if "文件" in str(ws.cell(top, c).value)]
    assert files, "the file names stay on screen"
    for c in range(1, last + 1):  # every printed header shows in full
        cell = ws.cell(top, c)
        letter = cell.column_letter
        need = units(cell.value) * cell.font.sz / 10 + 1
        lines = -(-need // (ws.column_dimensions[letter].width - 1))
        assert ws.row_dimensions[top].height >= lines * cell.font.sz, cell.value


def test_task_details_print_the_tasks_not_done_and_keep_all_on_screen(
    book: openpyxl.Workbook, campaign25: Campaign
) -> None:
    ws = book["任务清单明细"]
    top = header_row(ws)
    head = [c.value for c in ws[top]]
    status = head.index("完成状态")
    rows = [r for r in ws.iter_rows(min_row=top + 1, values_only=True) if any(v is not None for v in r)]
    done = campaign25.catalog.done_status
    assert len(rows) == 25 * len(campaign25.catalog.tasks)  # every answer on screen
    open_rows = [r for r in rows if r[status] != done]
    assert len(open_rows) == len([b for b in campaign25.roster if b.seq % 3 == 0])
    assert rows[: len(open_rows)] == open_rows  # the tasks not done first
    area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
    last_row = range_boundaries(area.split("!")[-1].replace("$", ""))[3]
    assert last_row == top + len(open_rows)  # … and only they are printed
    counts = {int(n) for n in re.findall(r"(\d+) 项", ws["A1"].value)}  # the title says what is printed
    assert counts == {len(open_rows), len(rows) - len(open_rows)}


def test_overview_rates_are_coloured_against_the_maximum(fast_summary: Path, book: openpyxl.Workbook) -> None:
    """总览's section rates: red at 80 %, yellow at 90 %, green at 100 % of the maximum (not the data's own
    extremes, which paint 95 % red beside 97 %)."""
    at = next(c for row in book[OVERVIEW].iter_rows() for c in row if c.value == "得分率")
    with zipfile.ZipFile(fast_summary) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    rules = dict(re.findall(r'<conditionalFormatting sqref="([^"]+)">(.*?)</conditionalFormatting>', xml))
    rates = rules[f"{at.column_letter}{at.row + 1}:{at.column_letter}{at.row + 12}"]
    cfvo = re.findall(r'<cfvo type="(\w+)" val="([\d.]+)"/>', rates)
    assert [(kind, float(v)) for kind, v in cfvo] == [("num", 0.8), ("num", 0.9), ("num", 1.0)]


# ---------------------------------------------------------------- printed by LibreOffice


@dataclass
class Printed:
    xlsx: Path
    pdf: Path
    book: openpyxl.Workbook
    texts: list[str]  # per page, whitespace removed (pypdf: each cell's text in one run)
    words: list[list[tuple[float, float, float, str]]]  # per page: (xMin, xMax, yMax, word)
    sizes: list[tuple[float, float]]  # per page: width, height (points)

    def sheet_of(self, page: int) -> str:
        """The sheet a page prints, by the name at the right of its running head."""
        top = [w for w in self.words[page] if w[2] < 38]  # the running head, above the top margin
        right = "".join(w[3] for w in sorted(top) if w[0] > self.sizes[page][0] / 2)
        assert right in self.book.sheetnames, (page + 1, right)
        return right


def pdf_words(pdf: Path) -> tuple[list[list[tuple[float, float, float, str]]], list[tuple[float, float]]]:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    pages = re.split(r"<page ", out.stdout)[1:]
    words, sizes = [], []
    for page in pages:
        w, h = re.match(r'width="([\d.]+)" height="([\d.]+)"', page).groups()
        sizes.append((float(w), float(h)))
        found = re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', page)
        words.append([(float(a), float(b), float(y), t) for a, b, y, t in found])
    return words, sizes


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Printed:
    require_office(uno=True)
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is not installed: run `make office`")
    work = tmp_path_factory.mktemp("summary_pdf")
    xlsx = build_print_summary(work)
    doc = Document(xlsx, work / "out", "汇总表", formats=("pdf",))
    run_driver([doc], work / "driver")
    pdf = doc.output("pdf")
    texts = [squeeze(p.extract_text() or "") for p in pypdf.PdfReader(pdf).pages]
    words, sizes = pdf_words(pdf)
    return Printed(xlsx, pdf, openpyxl.load_workbook(xlsx), texts, words, sizes)


@pytest.mark.office
def test_summary_of_25_branches_prints_on_at_most_25_pages_overview_on_one(printed: Printed) -> None:
    n = len(printed.texts)
    assert n <= MAX_PAGES, f"{n} pages"
    sheets = [printed.sheet_of(p) for p in range(n)]
    assert sheets.count(OVERVIEW) == 1 and sheets[0] == OVERVIEW
    assert list(dict.fromkeys(sheets)) == printed.book.sheetnames  # every sheet, in order, each in one run
    for w, h in printed.sizes:
        assert abs(w - 841.89) <= 2 and abs(h - 595.28) <= 2, (w, h)  # A4 landscape


@pytest.mark.office
def test_every_page_has_its_number_title_and_header_row(printed: Printed) -> None:
    n = len(printed.texts)
    heading = squeeze(printed.book[OVERVIEW]["A1"].value)
    for page, text in enumerate(printed.texts):
        assert f"第{page + 1}页，共{n}页" in text, f"page {page + 1}: no page number"
        assert heading in text, f"page {page + 1}: no running head"
        ws = printed.book[printed.sheet_of(page)]
        first, last = title_rows(ws)
        titles = [
            squeeze(c.value)
            for row in ws.iter_rows(min_row=first, max_row=last, max_col=printed_columns(ws))
            for c in row
            if isinstance(c.value, str)
        ]
        missing = [t for t in titles if t not in text]
        assert not missing, f"page {page + 1} ({ws.title}): header texts missing {missing}"


@pytest.mark.office
def test_nothing_is_printed_past_the_right_margin(printed: Printed) -> None:
    for page, words in enumerate(printed.words):
        ws = printed.book[printed.sheet_of(page)]
        edge = printed.sizes[page][0] - ws.page_margins.right * 72 + 1
        beyond = [w[3] for w in words if w[1] > edge]
        assert not beyond, f"page {page + 1} ({ws.title}): past the right margin: {beyond[:5]}"


@pytest.mark.office
def test_task_details_print_only_the_tasks_not_done(printed: Printed) -> None:
    """The printed 任务清单明细 holds the tasks not done: the word 已完成 only where its title says what is left
    out."""
    name = "任务清单明细"
    ws = printed.book[name]
    pages = [t for p, t in enumerate(printed.texts) if printed.sheet_of(p) == name]
    done = print_campaign().catalog.done_status
    in_titles = sum(squeeze(str(ws.cell(r, 1).value or "")).count(done) for r in (1, 2))
    assert sum(t.count(done) for t in pages) == in_titles
    status = [c.value for c in ws[header_row(ws)]].index("完成状态") + 1
    words = [ws.cell(r, status).value for r in range(header_row(ws) + 1, ws.max_row + 1)]
    open_words = set(words) - {done, None}
    assert open_words
    for word in open_words:  # every task not done is printed
        assert sum(t.count(word) for t in pages) >= words.count(word), word
