"""Every use of an XlsxWriter internal, in one place.

The summary's long table bodies are written as worksheet XML after XlsxWriter closed the workbook
(summary/splice.py). Their cells must name the style index XlsxWriter gave each format in styles.xml, which
XlsxWriter's public API does not expose: two helpers read it from the `Format` object. They rely on
`Format._get_xf_index`, `Format.xf_index`, `Format.xf_format_indices` and `Format._get_format_key` as in
XlsxWriter 3.3 (pyproject.toml pins that minor range); tests/summary/test_summary_rows.py checks them against the
`s="N"` XlsxWriter itself writes, so an upgrade that changes them fails there first. A third, `lean_rows`,
replaces `Worksheet.table` (a defaultdict of rows) so that closing a sheet adds no empty row for every spliced one.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet


def register(fmt: Format) -> int:
    """Give `fmt` its style index now, while the workbook is open: it is then in styles.xml even if no cell
    XlsxWriter writes uses it. Returns the index (what XlsxWriter writes as a cell's `s`)."""
    return fmt._get_xf_index()


def style_index(fmt: Format) -> int | None:
    """The style index XlsxWriter writes for a cell with `fmt` (0: the default style, no `s` attribute);
    None when the format is not in styles.xml (neither used by a cell XlsxWriter wrote nor registered).

    Reads without registering, so it is safe after the workbook was closed. A format equal to an earlier
    one shares that one's index (XlsxWriter then leaves the later object's own index unset)."""
    if fmt.xf_index is not None:
        return fmt.xf_index
    return fmt.xf_format_indices.get(fmt._get_format_key())


_NO_CELLS: Mapping[int, Any] = MappingProxyType({})


class _Rows(dict[int, dict[int, Any]]):
    """A worksheet's cells by row that answers a row without cells with a read-only empty one instead of adding
    it: XlsxWriter asks for every row number up to the last one while it writes a sheet, the spliced ones too."""

    def __missing__(self, row: int) -> Mapping[int, Any]:
        return _NO_CELLS


def lean_rows(ws: Worksheet) -> None:
    """Before the workbook is closed (nothing is written into `ws` after): XlsxWriter's `Worksheet.table` (a
    defaultdict of rows) made a dict that keeps no empty row."""
    ws.table = _Rows(ws.table)
