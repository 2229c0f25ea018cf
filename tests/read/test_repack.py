"""What calamine reads (`repack`): definedNames left out, rows after the wanted ones cut out only when that is
plainly safe, and the collector reading a form's metadata sheet only as far as its keys and its 填表说明 not at
all."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hostile_corpus import members, patch, small_xlsx

from dangjian_xlsx import read
from dangjian_xlsx.collect import classify as collect
from dangjian_xlsx.collect.pipeline import process_file
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.layout import GUIDE_SHEET, META_HEAD_ROWS, META_KEYS, META_SHEET
from dangjian_xlsx.models import Campaign, FormKind, Outcome
from dangjian_xlsx.read import repack, scan
from dangjian_xlsx.validate.identity import read_meta


def _sheet(*rows: int, tail: bytes = b"<pageMargins/>") -> bytes:
    body = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in rows)
    return b'<worksheet><dimension ref="A1"/><sheetData>' + body + b"</sheetData>" + tail + b"</worksheet>"


def test_first_rows_cuts_the_rows_after_n_and_keeps_the_rest_of_the_part() -> None:
    cut = repack.first_rows(_sheet(1, 2, 3, 5, 8, 13), 3)
    assert cut == _sheet(1, 2, 3)
    assert repack.first_rows(_sheet(1, 2, 4, 5), 3) == _sheet(1, 2)  # row 3 absent: cut from the first over 3


@pytest.mark.parametrize(
    "sheet",
    [
        _sheet(1, 2, 3),  # nothing after the wanted rows
        _sheet(1, 5, 2),  # a wanted row after an unwanted one: rows out of order
        _sheet(1, 5).replace(b"</sheetData>", b'<row r="03"/></sheetData>'),  # ... written with a zero
        _sheet(1, 5) + b"<sheetData></sheetData>",  # two sheetData: not a plain sheet
        _sheet(1, 5).replace(b"</sheetData>", b""),  # no end of sheetData
        _sheet(1, 5).replace(b"<row ", b"<x:row "),  # prefixed rows: not found, not cut
    ],
)
def test_first_rows_leaves_a_sheet_whole_unless_plainly_safe(sheet: bytes) -> None:
    assert repack.first_rows(sheet, 3) is sheet


def test_row_numbers_are_matched_whole() -> None:
    # row 130 is not row 13, row 1 is not row 10: the cut starts at the first row really over n
    assert repack.first_rows(_sheet(1, 10, 13, 130), 12) == _sheet(1, 10)
    assert repack.first_rows(_sheet(1, 2, 30), 3) == _sheet(1, 2)


def test_without_defined_names() -> None:
    wb = b'<workbook><sheets><sheet name="a" r:id="rId1"/></sheets><definedNames><definedName name="X">a!$A$1</definedName></definedNames><calcPr/></workbook>'
    assert (
        repack.without_defined_names(wb)
        == b'<workbook><sheets><sheet name="a" r:id="rId1"/></sheets><calcPr/></workbook>'
    )
    twice = wb.replace(b"<calcPr/>", b"<definedNames></definedNames>")
    for same in (b"<workbook/>", wb.replace(b"</definedNames>", b""), twice):
        assert repack.without_defined_names(same) is same


def test_head_rows_find_the_sheet_however_its_relationship_is_quoted() -> None:
    """The part to shorten is found by the one sheet → part reader (`ooxml.sheet_parts`), which reads what
    calamine reads: relationships written with single quotes too (a plain search for Id="…" would miss it
    and read the sheet whole)."""
    quoted = patch(
        small_xlsx(),
        "xl/_rels/workbook.xml.rels",
        lambda d: re.sub(rb'(Id|Target)="([^"]*)"', rb"\1='\2'", d),
    )
    assert b"Target='" in dict(members(quoted))["xl/_rels/workbook.xml.rels"]
    whole = read.read_workbook(quoted, "q.xlsx").sheet("评分表")
    head = read.read_workbook(quoted, "q.xlsx", head_rows={"评分表": 3}).sheet("评分表")
    assert whole is not None and head is not None
    assert len(whole.rows) == 12 and len(head.rows) == 3
    assert head.rows == [row[: len(head.rows[0])] for row in whole.rows[:3]]


def test_a_generated_form_has_its_metadata_read_only_as_far_as_its_keys(camp: Campaign) -> None:
    data = build_form(camp, FormKind.SCORING, camp.roster[0])
    whole = read.read_workbook(data, "f.xlsx")
    head = read.read_workbook(data, "f.xlsx", head_rows={META_SHEET: META_HEAD_ROWS})
    meta_whole, meta_head = whole.sheet(META_SHEET), head.sheet(META_SHEET)
    assert meta_whole is not None and meta_head is not None
    assert len(meta_whole.rows) > 3 * META_HEAD_ROWS  # the input-cell table is there ...
    assert len(meta_head.rows) <= META_HEAD_ROWS  # ... and left out
    assert meta_head.rows == [row[: len(meta_head.rows[0])] for row in meta_whole.rows[: len(meta_head.rows)]]
    assert read_meta(meta_head) == read_meta(meta_whole) and len(read_meta(meta_head)) == len(META_KEYS)
    assert [s.rows for s in head.sheets if s.name != META_SHEET] == [
        s.rows for s in whole.sheets if s.name != META_SHEET
    ]
    _, inflated = scan.check_zip_inflated(data, "xlsx")
    assert inflated is not None
    package = zipfile.ZipFile(io.BytesIO(repack.package(inflated, {META_SHEET: META_HEAD_ROWS})))
    assert package.testzip() is None  # CRCs of the shortened parts are right


def test_the_collector_skips_the_guide_text_of_a_form_but_not_of_a_workbook_without_metadata(
    tmp_path: Path, camp: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A form's 填表说明 is read as a sheet without rows (validation needs only its place). A workbook
    without metadata is read whole: its form title in a sheet named 填表说明 still makes it a rejected
    attempt at a form (with a reason), not 'not a form'."""
    data = build_form(camp, FormKind.SCORING, camp.roster[0])
    raw = collect._read_form(data, "f.xlsx", None)
    guide = raw.sheet(GUIDE_SHEET)
    assert guide is not None and guide.rows == []
    whole = read.read_workbook(data, "f.xlsx").sheet(GUIDE_SHEET)
    assert whole is not None and len(whole.rows) > 5

    wb = openpyxl.Workbook()
    assert wb.active is not None
    wb.active.title = GUIDE_SHEET
    wb.active["A2"] = camp.catalog.form1.title
    wb.save(tmp_path / "copied.xlsx")
    rec = process_file(tmp_path / "copied.xlsx", tmp_path, camp)
    assert rec.outcome is Outcome.REJECTED, (rec.outcome, rec.reason)
    assert [p.code for p in rec.problems] == ["meta-missing"]


def test_a_spreadsheet_with_nothing_left_out_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without `_meta` and 填表说明, the first read was already whole: no second read (a summary of an earlier
    round dropped into the inbox can be large). With a 填表说明 sheet, the second read happens."""
    calls: list[object] = []
    real = read.read_workbook

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(kwargs.get("head_rows"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(read, "read_workbook", counted)
    for title, reads in (("其他表", 1), (GUIDE_SHEET, 2)):
        wb = openpyxl.Workbook()
        assert wb.active is not None
        wb.active.title = title
        wb.active["A1"] = "随便什么"
        buf = io.BytesIO()
        wb.save(buf)
        calls.clear()
        collect._read_form(buf.getvalue(), "x.xlsx", None)
        assert len(calls) == reads, title


def test_metadata_keys_below_the_usual_rows_are_still_found(tmp_path: Path, camp: Campaign) -> None:
    """A form whose metadata rows were moved down: the head-only read misses keys, so the collector reads
    the workbook whole again and the form is identified as before — with its 更正版次, the last key."""
    data = build_form(camp, FormKind.SCORING, camp.roster[0], revision=2)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb[META_SHEET].insert_rows(1, 6)
    buf = io.BytesIO()
    wb.save(buf)
    moved = buf.getvalue()
    head = read.read_workbook(moved, "m.xlsx", head_rows={META_SHEET: META_HEAD_ROWS}).sheet(META_SHEET)
    assert head is not None and len(read_meta(head)) < len(META_KEYS)  # the case the fallback is for
    (tmp_path / "plain.xlsx").write_bytes(data)
    (tmp_path / "moved.xlsx").write_bytes(moved)
    plain, moved_rec = (process_file(tmp_path / n, tmp_path, camp) for n in ("plain.xlsx", "moved.xlsx"))
    assert moved_rec.outcome is not Outcome.REJECTED, moved_rec.problems
    assert moved_rec.branch == plain.branch == camp.roster[0]
    assert moved_rec.kind is plain.kind is FormKind.SCORING
    assert plain.submission is not None and moved_rec.submission is not None
    assert moved_rec.submission.revision == plain.submission.revision == 2


def test_every_case_and_sample_gets_the_same_record_as_with_every_sheet_read_whole(
    files: dict[str, Path], camp: Campaign, campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Differential: every validation case (tampered, shifted, blank, resaved, ...) and every shipped sample
    (LibreOffice, .xls, .ods, corrected copies) comes out of the collector exactly as when the metadata
    sheet and 填表说明 are read whole."""
    samples = Path(__file__).resolve().parents[2] / "sample_submissions"
    inputs = [(p, p.parent, camp) for p in files.values()]
    inputs += [(p, samples, campaign) for p in sorted(samples.iterdir()) if p.is_file()]
    head = [process_file(p, inbox, c) for p, inbox, c in inputs]
    monkeypatch.setattr(collect, "_FORM_HEADS", {})
    whole = [process_file(p, inbox, c) for p, inbox, c in inputs]
    assert len(inputs) > 40
    for a, b, (p, _, _) in zip(head, whole, inputs, strict=True):
        assert a == b, p.name


def test_a_date_serial_calamine_would_panic_on_becomes_a_text_cell() -> None:
    """A numeric cell of -1.1e11 or less (or -inf): calamine's date conversion panics on it, so the copy
    calamine reads has it as text (read as typed, reported by validation); every other cell is untouched."""
    from dangjian_xlsx.read.repack import no_panicking_dates

    sheet = (
        b'<sheetData><row r="3"><c r="D3" s="2"><v>-110000000000</v></c><c r="E3" s="2" t="n"><v>-1.1E+11</v>'
        b'</c><c r="F3" t="n"><v> -inf</v></c><c r="G3" t="s"><v>-110000000000</v></c>'
        b'<c r="H3"><v>-99999999999</v></c><c r="I3"><v>-5</v></c><col/></row></sheetData>'
    )
    assert no_panicking_dates(sheet) == (
        b'<sheetData><row r="3"><c t="str" r="D3" s="2"><v>-110000000000</v></c><c r="E3" s="2" t="str">'
        b'<v>-1.1E+11</v></c><c r="F3" t="str"><v> -inf</v></c><c r="G3" t="s"><v>-110000000000</v></c>'
        b'<c r="H3"><v>-99999999999</v></c><c r="I3"><v>-5</v></c><col/></row></sheetData>'
    )
    plain = b'<sheetData><row r="1"><c r="A1"><v>-3</v></c></row></sheetData>'
    assert no_panicking_dates(plain) is plain
