"""Rewrite cell values inside an .xlsx the way its own program wrote it: the bench's real returns.

A template is one returned workbook, filled and saved by an office program. `Template.vary` gives a copy with
other values in some of its cells and another branch's name, touching nothing else: the form sheet's XML
keeps the program's row and cell markup (only the text inside a cell's `<v>` or `<is>` changes), the shared
strings keep their entries and markup (an entry only one cell uses gets the cell's new text, rich-text runs
keep their fonts), and the zip keeps the program's framing — every unchanged member byte for byte, a
changed one with the same header fields (data descriptor included, when the program wrote one).

The cached results of the form sheet's formulas (SUM over a range, `"text"&COUNTIF(range,"x")&"text"`)
follow the new values, as the program would have saved them; any other formula keeps its cached result.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from html import unescape
from io import BytesIO

from bench.zipframe import rezip
from dangjian_xlsx.ooxml import SHARED_STRINGS, WORKBOOK, WORKBOOK_RELS, sheet_parts

CELL = re.compile(r'<c r="([A-Z]+)([0-9]+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
VALUE = re.compile(r"<v>(.*?)</v>", re.S)
INLINE = re.compile(r"<is>(.*?)</is>", re.S)
FORMULA = re.compile(r"<f[^>]*>(.*?)</f>", re.S)
TYPE = re.compile(r'\bt="(\w+)"')
ENTRY = re.compile(r"<si>.*?</si>", re.S)
TEXT = re.compile(r"(<t(?:\s[^>]*)?>)(.*?)(</t>)", re.S)
RANGE = re.compile(r"\$?([A-Z]+)\$?([0-9]+):\$?([A-Z]+)\$?([0-9]+)")


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def number_text(x: float) -> str:
    """A number as office programs write it in `<v>`: 2, 1.5, 43371."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def entry_text(entry: str) -> str:
    """The plain text of a shared-string entry (its runs joined)."""
    return "".join(unescape(m.group(2)) for m in TEXT.finditer(entry))


@dataclass(frozen=True)
class Cell:
    """A cell of the form sheet with a value: its type (t=), where its value's text is, its formula."""

    ref: str
    col: str
    row: int
    type: str  # "n" (also when t= is absent), "s", "str", "inlineStr", "b", "e"
    start: int  # span of the text inside <v>…</v> (or <is>…</is> for an inline string)
    end: int
    formula: str = ""


class Template:
    """One saved workbook, parsed once: the zip's members, the form sheet's cells, the shared strings."""

    def __init__(
        self, data: bytes, sheet: str, names: Mapping[str, str] = {}, runs: Mapping[str, str] = {}
    ) -> None:
        self.data = data
        zf = zipfile.ZipFile(BytesIO(data))
        self.infos = zf.infolist()
        parts = dict(sheet_parts(zf.read(WORKBOOK), zf.read(WORKBOOK_RELS)))
        self.sheet_part = parts[sheet]
        self.sheet_xml = zf.read(self.sheet_part).decode("utf-8")
        members = {i.filename for i in self.infos}
        sst = zf.read(SHARED_STRINGS).decode("utf-8") if SHARED_STRINGS in members else ""
        found = list(ENTRY.finditer(sst))
        self.sst_head = sst[: found[0].start()] if found else sst
        self.sst_tail = sst[found[-1].end() :] if found else ""
        self.entries = [m.group(0) for m in found]
        self.cells = {c.ref: c for c in _cells(self.sheet_xml)}
        self.refcount = _refcounts(zf, [p for _n, p in parts.items()], len(self.entries))
        # the texts to rename (the branch's name, and its number where a text run is that number alone) and
        # the entries holding them, whichever sheet shows them
        self.names, self.runs = dict(names), dict(runs)
        self.renamed = [k for k, e in enumerate(self.entries) if self._renames(e)]
        self.inline = {}  # the other sheets holding such a text as an inline string (openpyxl writes them)
        for part in parts.values():
            xml = zf.read(part).decode("utf-8")
            if part != self.sheet_part and any(self._renames(m.group(1)) for m in INLINE.finditer(xml)):
                self.inline[part] = xml

    def _renames(self, entry: str) -> bool:
        if any(old in entry_text(entry) for old in self.names.values()):
            return True
        return any(unescape(m.group(2)) in self.runs.values() for m in TEXT.finditer(entry))

    # -- what the template holds

    def text(self, ref: str) -> str | None:
        """The cell's text (a shared or inline string, or a formula's cached text), None when not text."""
        c = self.cells.get(ref)
        if c is None:
            return None
        raw = self.sheet_xml[c.start : c.end]
        if c.type == "s":
            return entry_text(self.entries[int(raw)])
        if c.type == "inlineStr":
            return entry_text(raw)
        return unescape(raw) if c.type == "str" else None

    def number(self, ref: str) -> float | None:
        c = self.cells.get(ref)
        if c is None or c.type != "n" or c.end == c.start:
            return None
        return float(self.sheet_xml[c.start : c.end])

    def is_text_slot(self, ref: str) -> bool:
        """A cell whose text `vary` can replace: an inline string, or a shared string no other cell uses."""
        c = self.cells.get(ref)
        if c is None or c.formula:
            return False
        if c.type == "inlineStr":
            return True
        return c.type == "s" and self.refcount[int(self.sheet_xml[c.start : c.end])] == 1

    # -- a varied copy

    def vary(
        self, numbers: Mapping[str, float], texts: Mapping[str, str], renames: Mapping[str, str] = {}
    ) -> bytes:
        """The workbook with `numbers` and `texts` in those cells (each must hold a value of that kind in the
        template), and the template's `names` and `runs` renamed to `renames`' values by key, in every string."""
        entries = list(self.entries)
        spans: dict[str, str] = {}
        for ref, x in numbers.items():
            c = self.cells[ref]
            if c.type != "n" or c.formula:
                raise ValueError(f"{ref} holds no number to replace")
            spans[ref] = number_text(x)
        for ref, s in texts.items():
            if not self.is_text_slot(ref):
                raise ValueError(f"{ref} holds no text of its own to replace")
            c = self.cells[ref]
            if c.type == "inlineStr":  # one text, in the program's own <t> tag
                tag = TEXT.search(self.sheet_xml, c.start, c.end)
                spans[ref] = f"{tag.group(1) if tag else '<t>'}{esc(s)}</t>"
            else:
                k = int(self.sheet_xml[c.start : c.end])
                entries[k] = styled_entry(s, self.entries[k])
        for k in self.renamed:
            entries[k] = _rename(entries[k], self.names, self.runs, renames)
        spans.update(self._formulas(numbers, texts, entries))
        sheet = _splice(self.sheet_xml, [(self.cells[r], v) for r, v in spans.items()])
        sheets = {self.sheet_part: sheet, **(self.inline if renames else {})}
        if renames:
            sheets = {
                part: _rename_inline(xml, self.names, self.runs, renames) for part, xml in sheets.items()
            }
        changed = {part: xml.encode("utf-8") for part, xml in sheets.items()}
        if entries != self.entries:
            changed[SHARED_STRINGS] = (self.sst_head + "".join(entries) + self.sst_tail).encode("utf-8")
        return rezip(self.data, self.infos, changed)

    def _formulas(
        self, numbers: Mapping[str, float], texts: Mapping[str, str], entries: list[str]
    ) -> dict[str, str]:
        """The new cached results of the formulas this module understands."""

        def num(ref: str) -> float | None:
            return numbers[ref] if ref in numbers else self.number(ref)

        def txt(ref: str) -> str | None:
            if ref in texts:
                return texts[ref]
            c = self.cells.get(ref)
            if c is not None and c.type == "s":
                return entry_text(entries[int(self.sheet_xml[c.start : c.end])])
            return self.text(ref)

        out = {}
        for c in self.cells.values():
            if c.formula and c.end > c.start:  # a program that saved no result (openpyxl) gets none
                value = evaluate(unescape(c.formula), num, txt)
                if value is not None:
                    out[c.ref] = number_text(value) if c.type == "n" else esc(str(value))
        return out

    def understood(self) -> tuple[int, int]:
        """(formulas on the form sheet, those whose cached result `vary` recomputes)."""
        formulas = [c for c in self.cells.values() if c.formula]
        ok = [c for c in formulas if evaluate(unescape(c.formula), self.number, self.text) is not None]
        return len(formulas), len(ok)


RUN = re.compile(r"<r>(?:(<rPr>.*?</rPr>))?<t(?:\s[^>]*)?>(.*?)</t></r>", re.S)
LATIN = re.compile(r"[A-Za-z0-9][\x20-\x7e]*")  # weak characters (spaces, punctuation) join the run before


def styled_entry(text: str, like: str) -> str:
    """A shared-string entry for `text` marked up as the program marked up the entry `like`: where `like`
    has a run of Asian and a run of Latin text (LibreOffice gives a mixed-script cell one run per script,
    each with its font), `text` split the same way; otherwise one plain text."""
    fonts = {}
    for m in RUN.finditer(like):
        fonts.setdefault("latin" if unescape(m.group(2)).isascii() else "asian", m.group(1) or "")
    plain = f'<si><t xml:space="preserve">{esc(text)}</t></si>'
    if len(fonts) < 2 or text.isascii() or not LATIN.search(text):
        return plain
    runs, pos = [], 0
    for m in LATIN.finditer(text):
        if m.start() > pos:
            runs.append((fonts["asian"], text[pos : m.start()]))
        runs.append((fonts["latin"], m.group(0)))
        pos = m.end()
    if pos < len(text):
        runs.append((fonts["asian"], text[pos:]))
    body = "".join(f'<r>{rpr}<t xml:space="preserve">{esc(t)}</t></r>' for rpr, t in runs)
    return f"<si>{body}</si>"


def _cells(xml: str) -> list[Cell]:
    out = []
    for m in CELL.finditer(xml):
        col, row, attrs, body = m.group(1), int(m.group(2)), m.group(3), m.group(4)
        if body is None:
            continue
        t = TYPE.search(attrs)
        kind = t.group(1) if t else "n"
        f = FORMULA.search(body)
        holder = INLINE.search(body) if kind == "inlineStr" else VALUE.search(body)
        base = m.start(4)
        if holder is not None:
            start, end = base + holder.start(1), base + holder.end(1)
        elif f is not None:  # a formula saved without its result (openpyxl: <v/> or none)
            start = end = m.end(4)
        else:
            continue
        out.append(Cell(f"{col}{row}", col, row, kind, start, end, f.group(1) if f else ""))
    return out


def _refcounts(zf: zipfile.ZipFile, parts: list[str], size: int) -> list[int]:
    """How many cells of the workbook use each shared string."""
    counts = [0] * size
    for part in parts:
        xml = zf.read(part).decode("utf-8")
        for c in _cells(xml):
            if c.type == "s":
                counts[int(xml[c.start : c.end])] += 1
    return counts


def _rename(entry: str, names: Mapping[str, str], runs: Mapping[str, str], new: Mapping[str, str]) -> str:
    """Each text run of a string with the template's `names` replaced wherever they occur, and a run that is
    exactly one of its `runs` (the branch's number, split off in a run of its own) replaced, by key."""

    def run(m: re.Match[str]) -> str:
        text = unescape(m.group(2))
        for key, was in runs.items():
            if text == was and key in new:
                text = new[key]
        for key, was in names.items():
            if key in new:
                text = text.replace(was, new[key])
        return m.group(1) + esc(text) + m.group(3)

    return TEXT.sub(run, entry)


def _rename_inline(
    sheet: str, names: Mapping[str, str], runs: Mapping[str, str], new: Mapping[str, str]
) -> str:
    def inline(m: re.Match[str]) -> str:
        return "<is>" + _rename(m.group(1), names, runs, new) + "</is>"

    return INLINE.sub(inline, sheet)


def _splice(xml: str, edits: list[tuple[Cell, str]]) -> str:
    pieces, pos = [], 0
    for c, value in sorted(edits, key=lambda e: e[0].start):
        pieces += (xml[pos : c.start], value)
        pos = c.end
    pieces.append(xml[pos:])
    return "".join(pieces)


# ---------------------------------------------------------------- the formulas forms carry


def _col_number(col: str) -> int:
    n = 0
    for ch in col:
        n = n * 26 + ord(ch) - 64
    return n


def _col_name(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _range_refs(text: str) -> list[str] | None:
    m = RANGE.fullmatch(text.strip())
    if not m:
        return None
    c1, r1, c2, r2 = _col_number(m[1]), int(m[2]), _col_number(m[3]), int(m[4])
    return [f"{_col_name(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _split_top(text: str, sep: str) -> list[str]:
    """`text` split at `sep` outside quotes and parentheses."""
    out, depth, quoted, start = [], 0, False, 0
    for k, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "()":
            depth += 1 if ch == "(" else -1
        elif not quoted and depth == 0 and ch == sep:
            out.append(text[start:k])
            start = k + 1
    out.append(text[start:])
    return out


def evaluate(formula: str, num: object, txt: object) -> float | str | None:
    """SUM(range), COUNTIF(range,"x") and string literals joined by &; None for anything else."""
    parts = [p.strip() for p in _split_top(formula, "&")]
    values = [_term(p, num, txt) for p in parts]
    if any(v is None for v in values):
        return None
    if len(values) == 1:
        return values[0]
    return "".join(number_text(v) if isinstance(v, float) else str(v) for v in values)


def _term(term: str, num: object, txt: object) -> float | str | None:
    if len(term) >= 2 and term[0] == term[-1] == '"':
        return term[1:-1].replace('""', '"')
    m = re.fullmatch(r"(SUM|COUNTIF)\((.*)\)", term, re.S)
    if not m:
        return None
    args = _split_top(m[2], ",")
    refs = _range_refs(args[0])
    if refs is None:
        return None
    if m[1] == "SUM" and len(args) == 1:
        return float(sum(v for r in refs if (v := num(r)) is not None))  # type: ignore[operator]
    if m[1] == "COUNTIF" and len(args) == 2:
        want = _term(args[1].strip(), num, txt)
        if not isinstance(want, str):
            return None
        return float(sum(1 for r in refs if txt(r) == want))  # type: ignore[operator]
    return None
