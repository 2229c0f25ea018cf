"""The rows of a page's tables read back from its HTML (the standard library's parser): each row's attributes
and its cells' text and classes, so that a test asserts what the clerk sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Cell:
    tag: str
    classes: list[str]
    text: str = ""
    inner: list[str] = field(default_factory=list)  # classes of the elements inside (the status badge)


@dataclass
class Row:
    attrs: dict[str, str]
    table_id: str
    cells: list[Cell] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [c.text.strip() for c in self.cells]


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self.tables: list[str] = []
        self.cell: Cell | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.tables.append(a.get("id", "") or a.get("class", ""))
        elif tag == "tr":
            self.rows.append(Row(a, self.tables[-1] if self.tables else ""))
        elif tag in ("td", "th") and self.rows:
            self.cell = Cell(tag, a.get("class", "").split())
            self.rows[-1].cells.append(self.cell)
        elif self.cell is not None and a.get("class"):
            self.cell.inner += a["class"].split()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self.cell = None
        elif tag == "table" and self.tables:
            self.tables.pop()

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.text += data


def table_rows(html: str, table: str | None = None) -> list[Row]:
    """The body rows (with td cells) of the page's tables, of the table whose id or class is `table` if given."""
    parser = _Rows()
    parser.feed(html)
    rows = [r for r in parser.rows if any(c.tag == "td" for c in r.cells)]
    return [r for r in rows if table is None or r.table_id == table]
