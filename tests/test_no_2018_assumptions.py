"""No module assumes the 2018 forms (issue 16): the package's code holds none of the 2018 notice's texts, no
12 / 20 / 44 / 100 used as form sizes or the total, and not the sample school's name — except the built-in forms
data (catalog/forms.json, not code), the sample roster (catalog/roster.csv) and the sample campaign's defaults
(DEFAULT_CAMPAIGN in catalog/campaign.py), and 2018's statuses as the defaults of models.DEFAULT_STATUSES.

The scan reads code, not prose that happens to match: texts are searched in the source (as `grep` would),
numbers only as Python NUMBER tokens outside the contexts where they size a column, a row, a font or a byte
buffer; what is allowed besides is listed below with its reason.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dangjian_xlsx"
FORMS_JSON = PACKAGE / "catalog" / "forms.json"
SCHOOL = "郑州师范学院"
FORM_SIZES = {12, 20, 44, 100}  # sections, tasks, items, the total of the 2018 forms

# (module, top-level name) → why 2018's words may stand there
ALLOWED_DEFINITIONS = {
    ("catalog/campaign.py", "DEFAULT_CAMPAIGN"): "the sample campaign used when no campaign.toml is found",
    ("models.py", "DEFAULT_STATUSES"): "the statuses a 表格内容.xlsx without 设置 offers (the 2018 notice's)",
}
# modules whose numbers are the structure of binary file formats, never form sizes
BINARY_FORMAT_MODULES = {
    "ooxml/zipwrite.py": "zip record sizes and versions",
    "read/xlssafety.py": "byte offsets of the OLE2 (xls) header",
}
# (module, the line as written, stripped) → why the number there is not a form size
ALLOWED_NUMBER_LINES = {
    ("forms/meta.py", "for c, w in enumerate((22, 16, 40, 20)):"): "column widths of the metadata sheet",
    (
        "read/formats.py",
        "if controls > len(head) // 100:",
    ): "a ratio of control bytes when sniffing text files",
    (
        "summary/previous.py",
        "_HEADER_ROWS = 20  # the header row is looked for this far down",
    ): "search depth",
    ("read/limits.py", "READ_SECONDS = 20.0"): "a file's time budget in seconds",
    ("read/cfbprops.py", "section = _u32(s, 44)"): "a byte offset of the OLE property set format",
    ("read/cfbprops.py", "if vt == _VT_FILETIME and at + 12 <= len(s):"): "a FILETIME property's byte length",
    ("summary/overview.py", "MIDDLE = Panel(6, 12)"): "the 总览 page's middle panel: first column and width",
    ("web/charts.py", "PERCENT = 100.0  # a share drawn as a percentage"): "per cent, not the forms' total",
    (
        "web/charts.py",
        "VALUE_ROOM = 44  # width right of the longest bar, for its number",
    ): "pixels in an SVG chart",
}
# (module, the text around it) → why a string shows a 2018-like size
ALLOWED_SIZE_TEXTS = {
    (
        "catalog/formswrite.py",
        "如“（12分）”",
    ): "an example, on the 设置 sheet, of how a section's points are written",
}
# calls and keywords whose numeric arguments are layout (widths, heights, fonts) or dates
LAYOUT_CALLS = {
    "Col",
    "sized",
    "set_row",
    "set_column",
    "set_default_row",
    "need",
    "date",
    "datetime",
    "time",
}
LAYOUT_KEYS = {"font_size", "size", "width", "height", "header_height", "row_height"}
LAYOUT_WORDS = ("height", "width", "font")  # a line naming one of these measures the page, not the forms
BYTE_UNITS = {"KB", "MB", "GB", "1024"}
# 2018's own status 持续推进 named as a status (quoted or listed with others), not the verb in 请持续推进并…
STATUS_2018 = re.compile(
    r"“持续推进”|持续推进\s*[+、，,)）]|[+、(（]\s*持续推进|^[rRuUfF]*(['\"])持续推进\1$"
)
SIZE_TEXT = re.compile(r"(?<![\d.])(?:12|20|44|100)\s*(?:个部分|项|类|分(?!钟))")


def _modules() -> list[str]:
    return sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py"))


def _strip_numbering(text: str) -> str:
    return re.sub(r"^\s*(?:[一二三四五六七八九十]+、|\d+\s*[.．、]|（\d+）)\s*", "", text).strip()


@lru_cache(maxsize=1)
def texts_2018() -> frozenset[str]:
    """The 2018 notice's words as code could copy them: titles, section names, items, group titles, tasks (each
    without its numbering) and the sample school's name."""
    data = json.loads(FORMS_JSON.read_text("utf-8"))
    form1, form2 = data["form1"], data["form2"]
    texts = {SCHOOL, form1["title"].replace("{学校}", ""), form2["title"]}
    for s in form1["sections"]:
        texts.add(s["name"])
        texts.update(_strip_numbering(i["text"]) for i in s["items"])
    for g in form2["groups"]:
        texts.add(_strip_numbering(g["title"]))
        texts.update(_strip_numbering(t["text"]) for t in g["tasks"])
    assert min(len(t) for t in texts) >= 4, sorted(texts, key=len)[:5]
    return frozenset(texts)


def _allowed_lines(module: str, tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        for t in targets:
            if isinstance(t, ast.Name) and (module, t.id) in ALLOWED_DEFINITIONS:
                lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def _docstring_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(getattr(first.value, "value", None), str):
                lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return lines


def text_hits(module: str, source: str) -> list[str]:
    """Lines holding a 2018 text (comments and docstrings included, as grep sees them) and string literals
    naming 2018's status 持续推进 (docstrings aside: prose may name the default statuses), outside the allowed
    definitions."""
    tree = ast.parse(source)
    allowed, docs = _allowed_lines(module, tree), _docstring_lines(tree)
    hits = []
    for n, line in enumerate(source.splitlines(), 1):
        if n not in allowed:
            hits += [f"{module}:{n}: “{t}” in {line.strip()[:100]}" for t in texts_2018() if t in line]
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        n = tok.start[0]
        if (
            tok.type == tokenize.STRING
            and n not in docs
            and n not in allowed
            and STATUS_2018.search(tok.string)
        ):
            hits.append(f"{module}:{n}: the status 持续推进 in {tok.string[:100]}")
    return hits


def _significant(source: str) -> list[tokenize.TokenInfo]:
    skip = {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
    return [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type not in skip]


def _is_form_size(tok: tokenize.TokenInfo) -> bool:
    try:
        value = float(tok.string.replace("_", ""))
    except ValueError:
        return False
    return value in FORM_SIZES


def number_hits(module: str, source: str) -> list[str]:
    """NUMBER tokens 12 / 20 / 44 / 100 that size nothing on the page: neither an argument of a layout call
    (Col, set_row, …) or a date, nor a width/height/font size keyword or key, nor a byte count (× MB, << n)."""
    if module in BINARY_FORMAT_MODULES:
        return []
    lines = source.splitlines()
    toks = _significant(source)
    measuring = {
        t.start[0]
        for t in toks
        if t.type == tokenize.NAME and any(w in t.string.lower() for w in LAYOUT_WORDS)
    }
    stack: list[str | None] = []
    hits = []
    for k, tok in enumerate(toks):
        if tok.type == tokenize.OP and tok.string in "([{":
            before = toks[k - 1] if k else None
            stack.append(
                before.string if tok.string == "(" and before and before.type == tokenize.NAME else None
            )
            continue
        if tok.type == tokenize.OP and tok.string in ")]}":
            if stack:
                stack.pop()
            continue
        if tok.type != tokenize.NUMBER or not _is_form_size(tok):
            continue
        prev = [t.string for t in toks[max(0, k - 2) : k]]
        after = [t.string for t in toks[k + 1 : k + 3]]
        if tok.start[0] in measuring or any(name in LAYOUT_CALLS for name in stack if name):
            continue
        if len(prev) == 2 and prev[1] in ("=", ":") and prev[0].strip("\"'") in LAYOUT_KEYS:
            continue
        if (prev and prev[-1] == "<<") or (after and after[0] == "<<"):
            continue
        if (after[:1] == ["*"] and after[1:2] and after[1] in BYTE_UNITS) or (
            prev[-1:] == ["*"] and prev[:1] and prev[0] in BYTE_UNITS
        ):
            continue
        line = lines[tok.start[0] - 1].strip()
        if (module, line) in ALLOWED_NUMBER_LINES:
            continue
        hits.append(f"{module}:{tok.start[0]}: {tok.string} in {line[:100]}")
    return hits


def size_text_hits(module: str, source: str) -> list[str]:
    """String literals (docstrings aside) that state a 2018 size: 12个部分, 44项, 20项, 100分 …"""
    tree = ast.parse(source)
    docs = _docstring_lines(tree)
    hits = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type != tokenize.STRING or tok.start[0] in docs:
            continue
        allowed = [text for (mod, text) in ALLOWED_SIZE_TEXTS if mod == module and text in tok.string]
        for m in SIZE_TEXT.finditer(tok.string):
            if not any(m.group(0) in text for text in allowed):
                hits.append(f"{module}:{tok.start[0]}: “{m.group(0)}” in {tok.string[:100]}")
    return hits


def _source(module: str) -> str:
    return (PACKAGE / module).read_text("utf-8")


# ---------------------------------------------------------------- the scan itself is checked


def test_the_scan_finds_what_it_is_meant_to_find() -> None:
    item = sorted(texts_2018(), key=len)[-1]
    planted = (
        "def f(n, total):\n"
        f"    title = '{SCHOOL}'\n"
        f"    text = '{item}'\n"
        "    if n == 44 or total != 100:\n"
        "        return range(12)\n"
        "    return '共20项任务'  # a 100-point sheet\n"
        "    note = '请持续推进并按时完成'\n"
        "    return ('已完成', '持续推进')\n"
    )
    assert len(text_hits("x.py", planted)) == 3
    assert [h.split(": ")[1].split(" ")[0] for h in number_hits("x.py", planted)] == ["44", "100", "12"]
    assert len(size_text_hits("x.py", planted)) == 1
    layout = (
        "Col('branch', '名称', 20, 'wrap')\n"
        "ws.set_row(1, 44)\n"
        "fmt = f(bold=True, font_size=12)\n"
        "style = {'size': 12}\n"
        "MAX = 20 * MB\n"
        "fcntl.fcntl(fd, 1031, 1 << 20)\n"
        "EPOCH = dt.date(1899, 12, 30)\n"
        "h = self.heights.get(r, 20.0)\n"
        "# twelve sections: 12\n"
    )
    assert number_hits("x.py", layout) == []


def test_allowed_entries_are_still_needed() -> None:
    """Every allowance names a module and a line or definition that still exists (no stale exemptions)."""
    for module, name in ALLOWED_DEFINITIONS:
        assert re.search(rf"^{name}\b", _source(module), flags=re.M), (module, name)
    for module, line in ALLOWED_NUMBER_LINES:
        assert line in [ln.strip() for ln in _source(module).splitlines()], (module, line)
    for module, text in ALLOWED_SIZE_TEXTS:
        assert text in _source(module), (module, text)
    for module in BINARY_FORMAT_MODULES:
        assert (PACKAGE / module).is_file(), module


# ---------------------------------------------------------------- the package


@pytest.mark.parametrize("module", _modules())
def test_no_2018_texts_in_the_package(module: str) -> None:
    hits = text_hits(module, _source(module))
    assert not hits, "2018 texts outside the built-in forms data:\n" + "\n".join(hits)


@pytest.mark.parametrize("module", _modules())
def test_no_2018_form_sizes_in_the_package(module: str) -> None:
    hits = number_hits(module, _source(module))
    assert not hits, (
        "12 / 20 / 44 / 100 used outside layout contexts (take them from the catalog):\n" + "\n".join(hits)
    )


@pytest.mark.parametrize("module", _modules())
def test_no_2018_sizes_in_the_package_texts(module: str) -> None:
    hits = size_text_hits(module, _source(module))
    assert not hits, "texts stating the 2018 sizes (take them from the catalog):\n" + "\n".join(hits)


def test_the_sample_school_is_only_in_the_sample_data() -> None:
    """郑州师范学院 stands in the package only in the sample roster/campaign, never in the forms data's titles."""
    holders = sorted(
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file()
        and p.suffix in (".py", ".json", ".csv", ".toml", ".txt")
        and SCHOOL in p.read_text("utf-8")
    )
    assert set(holders) <= {"catalog/campaign.py", "catalog/roster.csv"}, holders
    forms = json.loads(FORMS_JSON.read_text("utf-8"))
    assert "{学校}" in forms["form1"]["title"]
