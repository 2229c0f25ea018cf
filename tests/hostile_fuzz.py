"""A seeded mutation fuzzer over filled forms (issue 19, item 7): the mutants, and what a collect over them
must never do.

Seeds: the two forms generated for the built-in campaign and filled through tests/fill.py (.xlsx), the same
forms saved by LibreOffice as .xls and .ods (committed under tests/fixtures/fuzz/, made by
`refresh_office_seeds` through tests/office/uno_driver.py), and the small synthetic files of
tests/hostile_corpus.py. Mutations, each a function of a seeded `random.Random` (those of bytes and of one
XML part's text in tests/hostile_fuzzbytes.py, those of the containers here):

- bytes: bit flips, bytes set to edge values, truncation, a chunk inserted, deleted or copied elsewhere;
- zip: a member's content mutated (package rebuilt with good checksums, so the damage reaches the parsers),
  a member's compressed bytes damaged, a member dropped, a declared size that lies;
- XML (worksheets, shared strings, workbook, core properties; an ODS's content.xml and meta.xml): a cell
  tag with thousands of attributes that never closes (the audit's), tags cut open, far references, edge
  numbers (-1.1e11 as a date, 1e308, -inf), a missing shared string, deep nesting, a DTD, huge repeat
  counts, impossible document dates;
- .xls records: a cell record's row/column/value set to edges (the audit's MULRK: row 9999, first column
  0xFFFF, last column 0), a length that lies, a record dropped, repeated or inserted (BoundSheet offsets
  kept right).

`mutants(n, seed)` is deterministic: the same n and seed give the same files.
"""

from __future__ import annotations

import io
import random
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hostile_corpus import build_zip, make_cfb, make_ods, make_xls, members, mulrk, small_xlsx
from hostile_fuzzbytes import XML_MUTATIONS, byte_mutation

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fuzz"


@dataclass(frozen=True)
class Seed:
    name: str
    fmt: str  # xlsx, xls, ods
    data: bytes


@dataclass(frozen=True)
class Mutant:
    name: str  # file name in the inbox
    data: bytes
    how: str  # seed + mutations applied


# ---------------------------------------------------------------- seeds


def seeds(work: Path) -> list[Seed]:
    """Every seed: filled generated forms (written under `work`), LibreOffice's .xls/.ods, synthetic files."""
    from fill import clean_values, fill_form

    from dangjian_xlsx.catalog import default_campaign
    from dangjian_xlsx.forms import build_form
    from dangjian_xlsx.models import FormKind

    camp = default_campaign()
    out: list[Seed] = []
    work.mkdir(parents=True, exist_ok=True)
    for i, kind in enumerate((FormKind.SCORING, FormKind.TASKS)):
        src = build_form(camp, kind, camp.roster[i])
        path = fill_form(src, work / f"seed_{kind.value}.xlsx", clean_values(camp.catalog, kind))
        # rebuilt with fixed member times (openpyxl stamps the clock's): the same seed every run
        out.append(Seed(f"附件{i + 1}", "xlsx", build_zip(members(path.read_bytes()))))
    for path in sorted(FIXTURES.iterdir()):
        out.append(Seed(path.stem, path.suffix[1:], path.read_bytes()))
    out.append(Seed("small", "xlsx", small_xlsx()))
    out.append(Seed("small", "ods", make_ods([("评分表", [["附件1", 1], [2.5, "文学院党总支"]])])))
    out.append(Seed("small", "xls", make_xls([("评分表", 0, [(0, 0, "附件1"), (1, 1, 2.0)])])))
    return out


def refresh_office_seeds(work: Path) -> None:
    """Write tests/fixtures/fuzz/附件1/2.xls/.ods again: the filled forms saved by LibreOffice (needs it)."""
    from office import Document, run_driver

    docs = []
    for seed in seeds(work)[:2]:
        src = work / f"{seed.name}.xlsx"
        src.write_bytes(seed.data)
        docs.append(Document(input=src, out_dir=work / "office", name=seed.name, formats=("xls", "ods")))
    run_driver(docs, work / "driver")
    for doc in docs:
        for fmt in ("xls", "ods"):
            (FIXTURES / f"{doc.name}.{fmt}").write_bytes(doc.output(fmt).read_bytes())


def _is_xml_part(name: str, fmt: str) -> bool:
    if fmt == "ods":
        return name in ("content.xml", "meta.xml", "styles.xml")
    return name.endswith((".xml", ".rels")) and (
        name.startswith(("xl/worksheets/", "xl/sharedStrings", "docProps/core")) or name == "xl/workbook.xml"
    )


# ---------------------------------------------------------------- zip mutations


def _rebuilt(items: list[tuple[str, bytes]], fmt: str) -> bytes:
    return build_zip(items, stored={"mimetype"} if fmt == "ods" else frozenset())


def zip_member_xml(rnd: random.Random, data: bytes, fmt: str) -> tuple[bytes, str]:
    """One XML part mutated (checksums right: the parsers see it)."""
    items = members(data)
    parts = [k for k, (n, _) in enumerate(items) if _is_xml_part(n, fmt)]
    if not parts:
        return byte_mutation(rnd, data)
    k = rnd.choice(parts)
    fn = rnd.choice(XML_MUTATIONS)
    name, content = items[k]
    items[k] = (name, fn(rnd, content))
    return _rebuilt(items, fmt), f"{fn.__name__}:{name}"


def zip_member_bytes(rnd: random.Random, data: bytes, fmt: str) -> tuple[bytes, str]:
    """One member's inflated content damaged byte-wise (checksums right)."""
    items = members(data)
    k = rnd.randrange(len(items))
    name, content = items[k]
    mutated, how = byte_mutation(rnd, content) if content else (b"x", "fill")
    items[k] = (name, mutated)
    return _rebuilt(items, fmt), f"{how}:{name}"


def zip_member_dropped(rnd: random.Random, data: bytes, fmt: str) -> tuple[bytes, str]:
    items = members(data)
    name = items.pop(rnd.randrange(len(items)))[0]
    return _rebuilt(items, fmt), f"drop:{name}"


def zip_member_raw(rnd: random.Random, data: bytes, fmt: str) -> tuple[bytes, str]:
    """A member's compressed bytes damaged where they lie (headers kept): inflate or CRC errors."""
    starts = [m.start() for m in re.finditer(rb"PK\x03\x04", data)]
    at = rnd.choice(starts) if starts else 0
    out = bytearray(data)
    for _ in range(rnd.randint(1, 6)):
        pos = min(len(out) - 1, at + 30 + rnd.randrange(200))
        out[pos] = rnd.randrange(256)
    return bytes(out), "raw"


def zip_size_lie(rnd: random.Random, data: bytes, fmt: str) -> tuple[bytes, str]:
    """A declared size (central directory) that lies: 0, a little more, or gigabytes."""
    spots = [m.start() for m in re.finditer(rb"PK\x01\x02", data)]
    if not spots:
        return byte_mutation(rnd, data)
    at = rnd.choice(spots) + rnd.choice((20, 24))  # compressed or uncompressed size
    value = rnd.choice((0, 1, 0xFFFFFFFF, 0x7FFFFFFF, struct.unpack_from("<I", data, at)[0] + 1))
    return data[:at] + struct.pack("<I", value) + data[at + 4 :], "size-lie"


ZIP_MUTATIONS = (zip_member_xml, zip_member_xml, zip_member_xml, zip_member_bytes, zip_member_dropped,
                 zip_member_raw, zip_size_lie)  # fmt: skip


# ---------------------------------------------------------------- .xls record mutations

CELL_RECORDS = (0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006, 0x00BD, 0x00BE, 0x0201)
EDGE_U16 = (0, 1, 0xFF, 0x100, 199, 200, 9999, 10000, 0x7FFF, 0xFFFE, 0xFFFF)


def _workbook_stream(data: bytes) -> bytes | None:
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return ole.openstream("Workbook").read()
    except Exception:
        return None


def _biff(stream: bytes) -> list[tuple[int, int, int]]:
    """(type, offset of the data, size) of every record."""
    out, pos = [], 0
    while pos + 4 <= len(stream):
        typ, size = struct.unpack_from("<HH", stream, pos)
        if pos + 4 + size > len(stream):
            break
        out.append((typ, pos + 4, size))
        pos += 4 + size
    return out


def _shift_sheets(stream: bytes, after: int, delta: int) -> bytes:
    """BoundSheet offsets past `after` moved by `delta` (a record was inserted or removed there)."""
    out = bytearray(stream)
    for typ, off, size in _biff(stream):
        if typ == 0x0085 and size >= 4:
            pos = struct.unpack_from("<I", out, off)[0]
            if pos > after:
                struct.pack_into("<I", out, off, pos + delta)
        if typ == 0x000A:
            break
    return bytes(out)


def xls_field(rnd: random.Random, stream: bytes) -> tuple[bytes, str]:
    """A cell record's row, column (a MULRK's first or last) or value set to an edge; or a length that lies."""
    recs = [r for r in _biff(stream) if r[0] in CELL_RECORDS and r[2] >= 6] or _biff(stream)
    typ, off, size = rnd.choice(recs)
    out = bytearray(stream)
    what = rnd.choice(("row", "col", "last", "value", "length"))
    if what == "row":
        struct.pack_into("<H", out, off, rnd.choice(EDGE_U16))
    elif what == "col":
        struct.pack_into("<H", out, off + 2, rnd.choice(EDGE_U16))
    elif what == "last" and size >= 2:
        struct.pack_into("<H", out, off + size - 2, rnd.choice(EDGE_U16))
    elif what == "value" and typ == 0x0203 and size >= 14:
        struct.pack_into(
            "<d", out, off + 6, rnd.choice((-1.1e11, 1e308, float("-inf"), float("nan"), -1e300))
        )
    else:
        struct.pack_into("<H", out, off - 2, rnd.choice((0, 1, 5, 0xFFFF, size + 1, max(size - 1, 0))))
    return bytes(out), f"{what}:{typ:04X}"


def xls_insert(rnd: random.Random, stream: bytes) -> tuple[bytes, str]:
    """A record inserted before a sheet's EOF: the audit's MULRK, a far cell, or a copy of another record."""
    recs = _biff(stream)
    eofs = [off - 4 for typ, off, _ in recs if typ == 0x000A][1:] or [len(stream)]
    at = rnd.choice(eofs)
    choice = rnd.randrange(3)
    if choice == 0:
        rec, how = mulrk(9999, 0xFFFF, 0, 2), "audit-mulrk"
    elif choice == 1:
        rec = struct.pack("<HHHHHd", 0x0203, 14, rnd.choice(EDGE_U16), rnd.choice(EDGE_U16), 0, 1.0)
        how = "far-number"
    else:
        typ, off, size = rnd.choice(recs)
        rec, how = stream[off - 4 : off + size], f"copy:{typ:04X}"
    return _shift_sheets(stream[:at] + rec + stream[at:], at, len(rec)), how


def xls_drop(rnd: random.Random, stream: bytes) -> tuple[bytes, str]:
    typ, off, size = rnd.choice(_biff(stream))
    start = off - 4
    return _shift_sheets(stream[:start] + stream[off + size :], start, -(size + 4)), f"drop:{typ:04X}"


XLS_MUTATIONS = (xls_field, xls_field, xls_insert, xls_drop)


def xls_record(rnd: random.Random, data: bytes, fmt: str) -> tuple[bytes, str]:
    stream = _workbook_stream(data)
    if stream is None or not _biff(stream):
        return byte_mutation(rnd, data)
    fn = rnd.choice(XLS_MUTATIONS)
    mutated, how = fn(rnd, stream)
    try:
        return make_cfb({"Workbook": mutated}), f"{fn.__name__}:{how}"
    except ValueError:  # too large for the small container writer: the damage in place, length kept
        return byte_mutation(rnd, data)


# ---------------------------------------------------------------- mutants

SUFFIXES = {"xlsx": ".xlsx", "xls": ".xls", "ods": ".ods"}


def mutate(rnd: random.Random, seed: Seed) -> tuple[bytes, str]:
    """One to three mutations of a seed, of the kinds that fit its format."""
    data, hows = seed.data, []
    for _ in range(rnd.choice((1, 1, 1, 2, 3))):
        r = rnd.random()
        if seed.fmt in ("xlsx", "ods") and r < 0.7 and data[:2] == b"PK":
            try:
                data, how = rnd.choice(ZIP_MUTATIONS)(rnd, data, seed.fmt)
            except Exception:  # the zip no longer opens: damage its bytes instead
                data, how = byte_mutation(rnd, data)
        elif seed.fmt == "xls" and r < 0.7:
            data, how = xls_record(rnd, data, seed.fmt)
        else:
            data, how = byte_mutation(rnd, data)
        hows.append(how)
    return data, "+".join(hows)


def mutants(all_seeds: list[Seed], n: int, seed: int) -> Iterator[Mutant]:
    """`n` mutants, deterministic for (`all_seeds`, `n`, `seed`); now and then under another spreadsheet
    suffix (the reader goes by content)."""
    rnd = random.Random(seed)
    for k in range(n):
        s = rnd.choice(all_seeds)
        data, how = mutate(rnd, s)
        suffix = SUFFIXES[s.fmt] if rnd.random() < 0.9 else rnd.choice((".xlsx", ".xls", ".ods", ".et"))
        yield Mutant(f"{k:05d}_{s.name}_{s.fmt}{suffix}", data, f"{s.name}.{s.fmt}: {how}")
