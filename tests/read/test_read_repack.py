"""The reader hands calamine the package rebuilt uncompressed from the members the safety pass inflated.

Differential proof that this changes nothing: every .xlsx/.xlsm the project can produce or meets is read
both ways — repacked (the default) and from the original bytes — and the RawWorkbooks (sheets, order,
visibility, every cell's value and type, saved_at, notes) or the ReadErrors must be identical. The rebuilt
package itself must hold the same members, in the same order, with the same contents — except
xl/workbook.xml, which loses its <definedNames> (calamine would parse them for nothing).
Read a third way, with only the first rows of every sheet wanted (`head_rows`), every wanted cell must
come back the same, with the same type.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from conftest import require_office
from hostile_corpus import build_corpus, small_xlsx

from dangjian_xlsx import read
from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.forms import BRANCH_FORMS, build_form
from dangjian_xlsx.models import Branch, FormKind
from dangjian_xlsx.read import repack
from dangjian_xlsx.read import scan as zipsafety

ROOT = Path(__file__).resolve().parents[2]
TEXTS = (
    "a & b < c > d",
    "=SUM(A1:A2)",
    "  leading and trailing  ",
    "第一行\n第二行\r\n第三行",
    "引号 \" 和 ' 撇号",
    "_x0041_ 转义样式",
    "emoji 🎉 and 𠀀",
    "长" * 12_000,  # over Limits.max_text: truncated, with a note
    "",
)


def _outcome(data: bytes, name: str) -> tuple[str, object]:
    try:
        wb = read.read_workbook(data, name)
    except read.ReadError as err:
        return "error", (err.code, err.fields)
    return "ok", (wb.fmt, wb.saved_at, wb.notes, [(s.name, s.visibility, _typed(s.rows)) for s in wb.sheets])


def _typed(rows: list[list[object]]) -> list[list[tuple[str, object]]]:
    # type names too: 1 == 1.0 == True would hide a changed type
    return [[(type(v).__name__, v) for v in row] for row in rows]


def assert_same(data: bytes, name: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Read both ways; return the number of cells compared."""
    repacked = _outcome(data, name)
    with monkeypatch.context() as m:
        m.setattr(zipsafety, "_REPACK_MAX", -1)  # never repack: calamine reads the original bytes
        original = _outcome(data, name)
    assert repacked == original, name
    if read.sniff(data) in ("xlsx", "xlsm"):
        try:
            _, members = zipsafety.check_zip_inflated(data, read.sniff(data))
        except read.ReadError:
            members = None
        if members is not None:
            stored = repack.package(members)
            src, out = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(stored))
            assert [i.filename for i in out.infolist()] == [i.filename for i in src.infolist()]
            assert all(i.compress_type == zipfile.ZIP_STORED for i in out.infolist())
            for i in src.infolist():
                want = src.read(i)
                if i.filename == "xl/workbook.xml":
                    want = repack.without_defined_names(want)
                assert out.read(i.filename) == want, (name, i.filename)
            assert out.testzip() is None
    if repacked[0] != "ok":
        return 0
    assert_head_rows(data, name, 3)
    return sum(len(row) for _, _, rows in repacked[1][3] for row in rows)  # type: ignore[index]


def assert_head_rows(data: bytes, name: str, n: int) -> None:
    """Read with only the first n rows of every sheet wanted: the same sheets, and every cell of those rows
    the same value of the same type as in the whole read."""
    whole = read.read_workbook(data, name)
    head = read.read_workbook(data, name, head_rows={s.name: n for s in whole.sheets})
    assert [(s.name, s.visibility) for s in head.sheets] == [(s.name, s.visibility) for s in whole.sheets]
    for h, w in zip(head.sheets, whole.sheets, strict=True):
        width = max((len(r) for r in w.rows[:n]), default=0)
        for r in range(n):
            got = [(type(v).__name__, v) for v in (h.get(r, c) for c in range(width))]
            want = [(type(v).__name__, v) for v in (w.get(r, c) for c in range(width))]
            assert got == want, (name, h.name, r)


def _campaign():
    return default_campaign(tuple(Branch(seq=i, name=f"第{i}党总支") for i in range(1, 4)))


def _prefill(campaign, kind: FormKind, rng: random.Random) -> dict[object, object]:
    from dangjian_xlsx.layout import Field

    values: dict[object, object] = {(Field.DATE, ""): dt.date(2018, 9, rng.randint(1, 30))}
    cat = campaign.catalog
    if kind is FormKind.SCORING:
        for item in cat.items:
            values[(Field.SCORE, item.id)] = rng.choice(
                (item.points, 0, 0.5, 1.25, -1, 1e-9, f"{item.points}分")
            )
            values[(Field.NOTE, item.id)] = rng.choice(TEXTS)
        return values
    for task in cat.tasks:
        values[(Field.STATUS, task.id)] = rng.choice(("已完成", "未完成", "不适用", "部分完成"))
        values[(Field.DONE, task.id)] = rng.choice(TEXTS)
        values[(Field.ISSUES, task.id)] = rng.choice(TEXTS)
    return values


def _resave(data: bytes) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_shipped_and_sample_workbooks(monkeypatch: pytest.MonkeyPatch) -> None:
    files = [
        p for d in ("blank_forms", "sample_submissions") for p in sorted((ROOT / d).rglob("*")) if p.is_file()
    ]
    compared = 0
    for p in files:
        data = p.read_bytes()
        if read.sniff(data) in ("xlsx", "xlsm"):
            assert_same(data, p.name, monkeypatch)
            compared += 1
    assert compared >= 10


def test_generated_forms_with_prefill_and_resaved(monkeypatch: pytest.MonkeyPatch) -> None:
    campaign = _campaign()
    rng = random.Random(20180926)
    cells = 0
    for branch in (None, *campaign.roster):
        for kind in BRANCH_FORMS:
            data = build_form(campaign, kind, branch, prefill=_prefill(campaign, kind, rng))
            cells += assert_same(data, "generated.xlsx", monkeypatch)
            cells += assert_same(_resave(data), "resaved.xlsx", monkeypatch)
    assert cells > 1_000


def test_hostile_corpus_same_values_or_same_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_corpus(tmp_path)
    n = 0
    for p in sorted(tmp_path.iterdir()):
        assert_same(p.read_bytes(), p.name, monkeypatch)
        n += 1
    assert n > 20


def _random_value(rng: random.Random) -> object:
    kind = rng.randrange(7)
    if kind == 0:
        return rng.uniform(-1e6, 1e6)
    if kind == 1:
        return rng.randint(-1000, 1000)
    if kind == 2:
        return rng.choice(TEXTS[:-2]) + str(rng.random())
    if kind == 3:
        return rng.random() < 0.5
    if kind == 4:
        return dt.datetime(1900, 1, 1) + dt.timedelta(seconds=rng.randrange(0, 200 * 365 * 86400))
    if kind == 5:
        return dt.date(1900, 1, 1) + dt.timedelta(days=rng.randrange(0, 60_000))
    return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(1, 30)))


def _xlsxwriter_book(rng: random.Random) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for s in range(rng.randint(1, 3)):
        ws = wb.add_worksheet(f"表{s}")
        if s == 2:
            ws.hide()
        for _ in range(rng.randint(1, 80)):
            r, c, v = rng.randrange(60), rng.randrange(20), _random_value(rng)
            if isinstance(v, dt.date):
                ws.write_datetime(r, c, v, date_fmt)
            elif isinstance(v, str):
                ws.write_string(r, c, v)
            else:
                ws.write(r, c, v)
        ws.write_formula(61, 0, "=1/0", None, "#DIV/0!")
        ws.write_formula(61, 1, '="x"&"y"', None, "xy")
    wb.close()
    return buf.getvalue()


def _openpyxl_book(rng: random.Random) -> bytes:
    wb = openpyxl.Workbook()
    for s in range(rng.randint(1, 3)):
        ws = wb.active if s == 0 else wb.create_sheet(f"页{s}")
        if s == 1:
            ws.sheet_state = rng.choice(("hidden", "veryHidden"))
        for _ in range(rng.randint(1, 80)):
            value = _random_value(rng)
            if isinstance(value, str):
                value = value.replace("\r", "")  # openpyxl refuses some control characters
            ws.cell(row=rng.randint(1, 60), column=rng.randint(1, 20)).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("seed", range(12))
def test_random_values_xlsxwriter_and_openpyxl(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    assert assert_same(_xlsxwriter_book(rng), "xw.xlsx", monkeypatch) > 0
    assert assert_same(_openpyxl_book(rng), "op.xlsx", monkeypatch) > 0


@pytest.mark.office
def test_libreoffice_resaved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_office()
    campaign = _campaign()
    rng = random.Random(7)
    sources = [tmp_path / "small.xlsx"]
    sources[0].write_bytes(small_xlsx())
    for kind in BRANCH_FORMS:
        p = tmp_path / f"{kind.name}.xlsx"
        p.write_bytes(build_form(campaign, kind, campaign.roster[0], prefill=_prefill(campaign, kind, rng)))
        sources.append(p)
    outdir = tmp_path / "lo"
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(tmp_path / 'lo_profile').as_uri()}",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(outdir),
            *map(str, sources),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    converted = sorted(outdir.glob("*.xlsx"))
    assert len(converted) == len(sources)
    for p in converted:
        assert assert_same(p.read_bytes(), p.name, monkeypatch) > 0
