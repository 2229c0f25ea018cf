"""The fast .xlsx reader (read/xlsxfast.py) against calamine: on every package it reads it gives calamine's
answer — the same sheets, visibility, grid, values and their types, notes —, and on every construct it does
not read the way calamine does it steps aside (None), so that calamine reads the file instead.

The real office files (LibreOffice-saved) are compared in tests/test_office_roundtrip.py."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from xlsxkit import CHARTSHEET, Book, Sheet, package, sheet_xml

from dangjian_xlsx.read import calamine, fence, formats, read_workbook, scan, workbook, xlsxfast, xlsxtext
from dangjian_xlsx.read.limits import DEFAULT_LIMITS, Limits, ReadError


def both(
    data: bytes, heads: dict[str, int] | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[Any, Any]:
    """(fast reader's answer or None, calamine's answer), from the members of one safety pass."""
    fmt, plain = formats.sniff_parsed(data)
    _, members = scan.safety_pass(data, fmt, limits, plain, keep_all=True)
    assert members is not None
    fast = xlsxfast.read_members(members, fmt, limits, None, heads)
    slow = calamine.read_sheets(data, fmt, limits, None, members, heads)
    return fast, slow


def shown(raw: Any) -> list[Any]:
    """Everything a reader answers, each value with its type (1.0 and True, a date and a datetime differ)."""
    sheets = [
        (s.name, s.visibility, [[(type(v).__name__, v) for v in row] for row in s.rows]) for s in raw.sheets
    ]
    return [raw.fmt, sheets, raw.notes]


def same(data: bytes, heads: dict[str, int] | None = None, limits: Limits = DEFAULT_LIMITS) -> Any:
    fast, slow = both(data, heads, limits)
    assert fast is not None, "the fast reader stepped aside from a package it should read"
    assert shown(fast) == shown(slow)
    return fast


def one_sheet(cells: str, **book: Any) -> bytes:
    return package(Book(sheets=[Sheet("表1", cells)], **book))


# ---------------------------------------------------------------- what it reads, as calamine does

RICH = (
    '<r><rPr><sz val="11"/><rFont val="宋体"/><charset val="134"/></rPr><t xml:space="preserve">领导班子（</t></r>'
    '<r><rPr><b val="true"/><sz val="11"/></rPr><t xml:space="preserve">12</t></r><r><t>分）</t></r>'
)


def test_shared_strings_plain_rich_entities_and_spaces() -> None:
    strings = [
        "<t>党总支名称：</t>",
        RICH,
        "<t>A &amp; B &lt;c&gt; &quot;d&quot; &apos;e&apos; &#20013;&#x6587;</t>",
        '<t xml:space="preserve">  两端有空格  </t>',
        "<t>一行\n两行</t>",
        '<t xml:space="preserve">本年度未开展&#10;整改：&#9;完</t>',
        "<t/>",
        "",
        '<t>党总支名称：</t><phoneticPr fontId="1" type="noConversion"/>',  # what Chinese Excel writes
    ]
    cells = "".join(
        f'<row r="{k + 1}"><c r="B{k + 1}" t="s"><v>{k}</v></c></row>' for k in range(len(strings))
    )
    raw = same(one_sheet(cells, strings=strings))
    column = [row[1] for row in raw.sheets[0].rows]
    assert column == [
        "党总支名称：",
        "领导班子（12分）",
        "A & B <c> \"d\" 'e' 中文",
        "  两端有空格  ",
        "一行\n两行",
        "本年度未开展\n整改：\t完",
        "",
        "",
        "党总支名称：",
    ]


def test_inline_strings_numbers_booleans_formulas() -> None:
    cells = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>内联</t></is></c>'
        f'<c r="B1" t="inlineStr"><is>{RICH}</is></c><c r="C1" t="inlineStr"><is><t>a&amp;b</t></is></c></row>'
        '<row r="2"><c r="A2"><v>2</v></c><c r="B2" t="n"><v>-0.5</v></c><c r="C2"><v>1.5E+20</v></c>'
        '<c r="D2"><v>1E-3</v></c><c r="E2"><v>.25</v></c></row>'
        '<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="b"><v>0</v></c></row>'
        '<row r="4"><c r="A4"><f>1+1</f><v>2</v></c><c r="B4" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
        '<c r="C4"><f aca="false">SUM(A2:B2)</f><v />'
        '</c><c r="D4" t="str"><f t="shared" si="0"/><v>x &lt; y</v></c></row>'
    )
    raw = same(one_sheet(cells))
    rows = raw.sheets[0].rows
    assert rows[0][:3] == ["内联", "领导班子（12分）", "a&b"]
    assert rows[1] == [2.0, -0.5, 1.5e20, 0.001, 0.25]
    assert rows[2][:2] == [True, False]
    assert rows[3] == [2.0, "ab", "", "x < y", ""]


def test_whole_serials_in_date_formats_are_dates() -> None:
    fmts = {164: r"yyyy\-mm\-dd", 165: "[$-804]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;", 166: "0.00"}
    cells = (
        '<row r="1"><c r="A1" s="1"><v>43370</v></c><c r="B1" s="2"><v>43370</v></c>'
        '<c r="C1" s="3"><v>43370</v></c><c r="D1" s="4"><v>43370</v></c><c r="E1"><v>43370</v></c>'
        '<c r="F1" s="9"><v>43370</v></c></row>'
    )
    raw = same(one_sheet(cells, num_fmts=fmts, xf_formats=[0, 14, 164, 165, 166]))
    assert raw.sheets[0].rows[0] == [dt.date(2018, 9, 27)] * 3 + [43370.0] * 3


def test_extent_counts_empty_texts_but_not_blanks() -> None:
    cells = '<row r="2"><c r="B2" t="s"><v>0</v></c><c r="E2" s="0"/></row><row r="9"><c r="A9" s="0"/></row>'
    raw = same(one_sheet(cells, strings=["<t/>"]))
    assert raw.sheets[0].rows == [["", ""], ["", ""]]
    assert same(one_sheet('<row r="3"><c r="C3" s="0"/></row>')).sheets[0].rows == []


def test_row_tags_as_office_writes_them_empty_ones_too() -> None:
    """Row tags with LibreOffice's attributes, openpyxl's spans, Excel's prefixed ones, and empty rows
    (`<row …/>`, some with a number, some without) between rows with cells: read as calamine reads them,
    the second time too (a row tag is judged once and remembered)."""
    lo = 'customFormat="false" ht="20.25" hidden="false" customHeight="true" outlineLevel="0" collapsed="false"'
    cells = (
        f'<row r="1" {lo}><c r="A1"><v>1</v></c></row><row r="2" {lo}/><row/>'
        '<row r="4" spans="1:3"><c r="C4"><v>4</v></c></row>'
        '<row r="5" x14ac:dyDescent="0.25" ht="15"><c r="B5"><v>5</v></c></row><row r="6" ht="9"/>'
    )
    for _ in range(2):
        assert same(one_sheet(cells)).sheets[0].rows == [[1.0, "", ""], ["", "", ""], ["", "", ""],
                                                         ["", "", 4.0], ["", 5.0, ""]]  # fmt: skip


def test_sheets_order_visibility_names_and_head_rows() -> None:
    rows = "".join(f'<row r="{k}"><c r="A{k}"><v>{k}</v></c></row>' for k in range(1, 30))
    book = Book(
        sheets=[
            Sheet("评分表", rows),
            Sheet("R&amp;D", rows, state="hidden"),
            Sheet("_meta", rows, state="veryHidden"),
            Sheet("空", "", state="visible"),
        ]
    )
    data = package(book)
    raw = same(data)
    assert [(s.name, s.visibility, len(s.rows)) for s in raw.sheets] == [
        ("评分表", "visible", 29),
        ("R&D", "hidden", 29),
        ("_meta", "veryhidden", 29),
        ("空", "visible", 0),
    ]
    cut = same(data, {"_meta": 5, "评分表": 0})
    assert [len(s.rows) for s in cut.sheets] == [0, 29, 5, 0]


def test_long_texts_are_cut_with_the_same_note() -> None:
    limits = Limits(max_text=10)
    raw = same(
        one_sheet('<row r="1"><c r="C1" t="inlineStr"><is><t>一二三四五六七八九十十一</t></is></c></row>'),
        limits=limits,
    )
    assert raw.sheets[0].rows[0][2] == "一二三四五六七八九十"
    assert raw.notes == [("text-too-long", {"sheet": "表1", "cell": "C1", "length": 12, "limit": 10})]


@pytest.mark.parametrize(
    "code",
    [
        "General", "0", "0.00", "#,##0", "0%", "@", r"0\分", "General;\\-General;;@", "yyyy-mm-dd", r"yyyy\-mm\-dd",
        "YYYY/MM/DD", "m/d/yy", "d-mmm-yy", "h:mm", "hh:mm:ss", "[h]:mm:ss", "[mm]:ss", "[Red]0.00",
        "&quot;Y: &quot;0.00", "#,##0.0####&quot; YMD&quot;", "\\Y000000", "[$-804]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;",
        "[DBNum1][$-804]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;", "AM/PM", "0_ ;[Red]\\-0\\ ", "[&gt;=100]0;0",
        "mmm", "ss.0", "e", "[$€-2] #,##0.00", "0.00E+00", "# ?/?",
    ],
)  # fmt: skip
def test_number_format_kinds_agree_with_calamine(code: str) -> None:
    """A whole serial under each format: a date exactly where calamine makes one; where the fast reader
    does not convert (durations) it steps aside."""
    data = one_sheet(
        '<row r="1"><c r="A1" s="1"><v>43370</v></c></row>', num_fmts={170: code}, xf_formats=[0, 170]
    )
    fast, slow = both(data)
    value = slow.sheets[0].rows[0][0]
    if fast is None:
        assert not isinstance(value, (float, dt.date)) or isinstance(value, dt.timedelta)
    else:
        assert shown(fast) == shown(slow)


# ---------------------------------------------------------------- what it leaves to calamine

UNSURE = {
    "untrimmed text": ("", ["<t> 前有空格</t>"], '<c r="A1" t="s"><v>0</v></c>'),
    "untrimmed run": ("", ["<r><t>a </t></r><r><t>b</t></r>"], '<c r="A1" t="s"><v>0</v></c>'),
    "x escape": ("", ["<t>a_x000D_b</t>"], '<c r="A1" t="s"><v>0</v></c>'),
    "carriage return": ("", ["<t>a&#13;b</t>"], '<c r="A1" t="s"><v>0</v></c>'),
    "phonetic run": (
        "",
        ["<t>漢字</t><rPh sb='0' eb='2'><t>かんじ</t></rPh>"],
        '<c r="A1" t="s"><v>0</v></c>',
    ),
    "unknown entity": ("", [], '<c r="A1" t="inlineStr"><is><t>a&nbsp;b</t></is></c>'),
    "control character": ("", ["<t>a&#1;b</t>"], '<c r="A1" t="s"><v>0</v></c>'),
    "error cell": ("", [], '<c r="A1" t="e"><v>#DIV/0!</v></c>'),
    "iso date cell": ("", [], '<c r="A1" t="d"><v>2018-09-27T00:00:00</v></c>'),
    "empty formula text": ("", [], '<c r="A1" t="str"><f>""</f><v></v></c>'),
    "date-time": ("date", [], '<c r="A1" s="1"><v>43370.5</v></c>'),
    "time": ("date", [], '<c r="A1" s="1"><v>0.25</v></c>'),
    "phantom leap day": ("date", [], '<c r="A1" s="1"><v>60</v></c>'),
    "duration": ("duration", [], '<c r="A1" s="1"><v>1.5</v></c>'),
    "no reference": ("", [], '<c t="inlineStr"><is><t>x</t></is></c>'),
    "reference not first": ("", [], '<c s="0" r="A1"><v>1</v></c>'),
    "prefixed cell": ("", [], '<x:c xmlns:x="urn:x" r="A1"><x:v>1</x:v></x:c>'),
    "stray bracket": ("", [], '<c r="A1"><v>1</v></c>< <c r="B1"><v>2</v></c>'),
    "bad row number": ("", [], '<c r="A1"><v>1</v></c></row><row r="x2"><c r="A2"><v>2</v></c>'),
    "row number twice": ("", [], '<c r="A1"><v>1</v></c></row><row r="2" r="3"><c r="A2"><v>2</v></c>'),
    "row value holding >": ("", [], '<c r="A1"><v>1</v></c></row><row r="2" x="a>b"><c r="A2"><v>2</v></c>'),
    "row tag misspelt": (
        "",
        [],
        '<c r="A1"><v>1</v></c></row><rows r="2"><c r="A2"><v>2</v></c></rows><row>',
    ),
    "cell twice": ("", [], '<c r="A1"><v>1</v></c><c r="A1"><v>2</v></c>'),
    "huge negative": ("", [], '<c r="A1"><v>-1E+12</v></c>'),
    "odd number": ("", [], '<c r="A1"><v>1_000</v></c>'),
    "odd boolean": ("", [], '<c r="A1" t="b"><v>true</v></c>'),
}


@pytest.mark.parametrize("case", sorted(UNSURE))
def test_steps_aside_where_calamine_reads_otherwise(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    style, strings, cell = UNSURE[case]
    xf = {"date": [0, 14], "duration": [0, 46], "": [0]}[style]
    data = one_sheet(f'<row r="1">{cell}</row>', strings=strings, xf_formats=xf)
    fmt, plain = formats.sniff_parsed(data)
    _, members = scan.safety_pass(data, fmt, DEFAULT_LIMITS, plain, keep_all=True)
    assert members is not None
    assert xlsxfast.read_members(members, fmt, DEFAULT_LIMITS, None) is None
    # read_workbook still answers, with calamine's answer (in the reader process, or here without one)
    calls: list[Any] = []
    real = fence.call
    monkeypatch.setattr(fence, "call", lambda fn, *a, **k: calls.append(fn) or real(fn, *a, **k))
    try:
        slow = calamine.read_sheets(data, fmt, DEFAULT_LIMITS, None, members, None)
    except ReadError as err:  # calamine refuses it: so does read_workbook, with the same reason
        with pytest.raises(ReadError) as info:
            read_workbook(data, "x.xlsx")
        assert info.value.code == err.code
    else:
        assert shown(read_workbook(data, "x.xlsx")) == shown(slow)
    assert calls == [workbook.read_verified]


def test_steps_aside_from_unusual_workbooks() -> None:
    cells = '<row r="1"><c r="A1"><v>1</v></c></row>'
    cases = {
        "1904": package(Book(sheets=[Sheet("a", cells)], workbook_pr='date1904="1"')),
        "chart sheet": package(Book(sheets=[Sheet("a", cells), Sheet("图", "", kind=CHARTSHEET)])),
        "odd state": package(Book(sheets=[Sheet("a", cells, state="secret")])),
        "garbage styles": package(Book(sheets=[Sheet("a", cells)], styles="\x01 not xml")),
        "cut sheet": package(Book(sheets=[Sheet("a", cells, xml=sheet_xml(cells)[:-30])])),
        "sheet data twice": package(Book(sheets=[Sheet("a", cells, xml=sheet_xml(cells).replace("</worksheet>", "<sheetData/></worksheet>"))])),
        "shared strings cut": package(Book(sheets=[Sheet("a", cells)], shared="<sst><si><t>a</t></si>")),
    }  # fmt: skip
    for name, data in cases.items():
        fmt, plain = formats.sniff_parsed(data)
        _, members = scan.safety_pass(data, fmt, DEFAULT_LIMITS, plain, keep_all=True)
        assert members is not None, name
        assert xlsxfast.read_members(members, fmt, DEFAULT_LIMITS, None) is None, name


def _bytes_replaced(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    zin = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            content = zin.read(name)
            zout.writestr(name, content.replace(old, new) if name == part else content)
    return buf.getvalue()


@pytest.mark.parametrize("where", ["run attribute", "sst attribute", "text"])
def test_a_shared_strings_byte_that_is_not_utf8_is_calamines_to_judge(where: str) -> None:
    """The shared strings are checked to be UTF-8 a piece at a time (each distinct <si> once, the <sst> tag):
    a byte that is not, wherever it is, leaves the file to calamine — also after the same piece was read
    well-formed from another file."""
    rich = '<r><rPr><rFont val="宋体"/></rPr><t>甲</t></r>'
    good = package(Book(sheets=[Sheet("a", '<row r="1"><c r="A1" t="s"><v>0</v></c></row>')], strings=[rich],
                        shared=None))  # fmt: skip
    assert same(good).sheets[0].rows == [["甲"]]
    old, new = {
        "run attribute": ("宋体".encode(), b"\xe5\xae"),
        "sst attribute": (b'count="1"', b'count="1" x="\xff"'),
        "text": ("甲".encode(), b"\xe7\x94"),
    }[where]
    bad = _bytes_replaced(good, "xl/sharedStrings.xml", old, new)
    fmt, plain = formats.sniff_parsed(bad)
    _, members = scan.safety_pass(bad, fmt, DEFAULT_LIMITS, plain, keep_all=True)
    assert members is not None
    assert xlsxfast.read_members(members, fmt, DEFAULT_LIMITS, None) is None
    with pytest.raises(ReadError) as refused:  # calamine's answer: the file is damaged
        calamine.read_sheets(bad, fmt, DEFAULT_LIMITS, None, members, None)
    with pytest.raises(ReadError) as info:
        read_workbook(bad, "x.xlsx")
    assert info.value.code == refused.value.code


def test_a_grid_too_large_to_hold_here_goes_to_calamine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader process's memory limit is what stops a workbook of many far-flung cells: the fast reader,
    in this process, takes only grids up to DENSE_MAX cells in all."""
    data = package(
        Book(sheets=[Sheet(f"S{k}", '<row r="400"><c r="CV400"><v>1</v></c></row>') for k in range(3)])
    )
    assert both(data)[0] is not None
    monkeypatch.setattr(xlsxfast, "DENSE_MAX", 2 * 400 * 100)
    assert both(data)[0] is None


# ---------------------------------------------------------------- where it runs


def test_an_ordinary_xlsx_is_read_without_the_reader_process(
    files: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A returned form is read in this process: no round trip to the reader process, the same answer."""
    path = next(p for p in files.values() if str(p).endswith(".xlsx"))
    data = path.read_bytes()
    fmt, plain = formats.sniff_parsed(data)
    expected = workbook.read_verified(data, DEFAULT_LIMITS, fmt, plain, None)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the reader process was used")

    monkeypatch.setattr(fence, "call", refuse)
    assert shown(read_workbook(data, path.name)) == shown(expected)


def test_every_case_file_reads_the_same(files: dict[str, Any]) -> None:
    """Every .xlsx/.xlsm of tests/cases.py (generated forms, openpyxl edits, damaged and odd ones): the fast
    reader answers as calamine does, or steps aside; it reads most of them."""
    read = 0
    for name, path in sorted(files.items()):
        data = path.read_bytes()
        fmt, _plain = formats.sniff_parsed(data)
        if fmt not in ("xlsx", "xlsm"):
            continue
        try:
            fast, slow = both(data, {"_meta": 12, "填表说明": 0})
        except Exception:  # refused by the safety pass or by calamine: read_workbook's own tests
            continue
        if fast is not None:
            read += 1
            assert shown(fast) == shown(slow), name
    assert read >= 10


def test_xlsxfast_keeps_its_caches_bounded() -> None:
    """What one file's strings leave behind is bounded, however many files pass (memory ≤ 1.5× from 1,000
    to 10,000 files)."""
    for k in range(xlsxtext.TEXTS_MAX + 50):
        strings = [f"<t>第{k}个</t>"]
        data = one_sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', strings=strings)
        if k % 1000 == 0 or k > xlsxtext.TEXTS_MAX:
            same(data)
        else:
            xlsxtext.shared_strings(zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml"))
    assert len(xlsxtext.TEXTS) <= xlsxtext.TEXTS_MAX + 1


MUTATIONS = [b"<", b">", b"&", b"&amp;", b'"', b" ", b"/", b"\n", b"\r", b"<v>", b"</v>", b'<c r="A1">', b"</c>",
             b"<t>", b"</t>", b"<r>", b"_x000D_", b"&#10;", b"&#0;", b't="s"', b't="str"', b's="1"', b"9", b"-",
             b"E", b".", b"<is>", b"</si>", b"<si>", b"\xff", b"\xe4\xb8", b"</row>", b"<row>", b"<!-- x -->"]  # fmt: skip


def _mutated(data: bytes, rng: Any) -> tuple[str, bytes]:
    """The package with one of its XML parts damaged in one to three places (cut, inserted, repeated)."""
    zin = zipfile.ZipFile(io.BytesIO(data))
    names = zin.namelist()
    target = rng.choice([n for n in names if n.endswith(".xml") and n.startswith("xl/")])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in names:
            part = zin.read(name)
            if name == target:
                for _ in range(rng.randint(1, 3)):
                    i, op = rng.randrange(len(part)), rng.random()
                    if op < 0.3:
                        part = part[:i] + part[i + rng.randint(1, 8) :]
                    elif op < 0.7:
                        part = part[:i] + rng.choice(MUTATIONS) + part[i:]
                    else:
                        j = rng.randrange(len(part))
                        part = part[:i] + part[j : j + rng.randint(1, 40)] + part[i:]
            zout.writestr(name, part)
    return target, buf.getvalue()


def test_damaged_parts_read_as_calamine_reads_them_or_not_at_all(files: dict[str, Any]) -> None:
    """Seeded damage to the XML of real forms (a generated one, one edited by openpyxl): wherever the fast
    reader answers, calamine gives the same answer — the same values, or the same refusal."""
    import random

    rng = random.Random(20)
    seeds = [p.read_bytes() for n, p in sorted(files.items()) if str(p).endswith(".xlsx")][:4]
    answered = 0
    for _ in range(400):
        target, data = _mutated(rng.choice(seeds), rng)
        fmt, plain = formats.sniff_parsed(data)
        try:
            _, members = scan.safety_pass(data, fmt, DEFAULT_LIMITS, plain, keep_all=True)
        except ReadError:
            continue
        assert members is not None
        heads = rng.choice([None, {"_meta": 12, "填表说明": 0}])
        try:
            fast: Any = xlsxfast.read_members(members, fmt, DEFAULT_LIMITS, None, heads)
        except ReadError as err:
            fast = err.code
        if fast is None:
            continue
        answered += 1
        try:
            slow: Any = calamine.read_sheets(data, fmt, DEFAULT_LIMITS, None, members, heads)
        except ReadError as err:
            slow = err.code
        assert (
            (fast == slow) if isinstance(fast, str) or isinstance(slow, str) else shown(fast) == shown(slow)
        ), target
    assert answered >= 50


def test_a_failure_of_its_own_costs_speed_not_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in the fast reader must not reject a good return as damaged: calamine reads it instead."""
    data = one_sheet('<row r="1"><c r="A1"><v>1</v></c></row>')
    expected = shown(same(data))

    def broken(*args: Any) -> Any:
        raise IndexError("a bug")

    monkeypatch.setattr(xlsxfast, "_grid", broken)
    assert both(data)[0] is None
    assert shown(read_workbook(data, "x.xlsx")) == expected


def test_excel_s_markup_is_read_here() -> None:
    """What Excel and WPS write around the cells — empty rows closed on themselves, spans and prefixed row
    attributes, a formula shared by a range, a phonetic setting after a text — is read here, as calamine."""
    cells = (
        '<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" s="1" t="s"><v>0</v></c>'
        '<c r="B1" s="0"><f>SUM(C1:C2)</f><v>3</v></c></row>'
        '<row r="2" spans="1:3" ht="30" customHeight="1" x14ac:dyDescent="0.25"/>'
        '<row r="3" spans="1:3"><c r="C3"><f t="shared" ref="C3:C4" si="0">A1*2</f><v>4</v></c></row>'
        '<row r="4" spans="1:3"><c r="C4"><f t="shared" si="0"/><v>6</v></c></row>'
    )
    xml = sheet_xml(cells).replace(
        "<worksheet ", '<worksheet xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" '
    )
    data = package(
        Book(
            sheets=[Sheet("表1", "", xml=xml)],
            strings=['<t>党总支名称：</t><phoneticPr fontId="1" type="noConversion"/>'],
        )
    )
    rows = same(data).sheets[0].rows
    assert rows == [["党总支名称：", 3.0, ""], ["", "", ""], ["", "", 4.0], ["", "", 6.0]]
