"""Every use of an XlsxWriter internal, in one place.

The summary's long table bodies are written as worksheet XML after XlsxWriter closed the workbook
(summary/splice.py). Their cells must name the style index XlsxWriter gave each format in styles.xml, which
XlsxWriter's public API does not expose: these two helpers read it from the `Format` object. They rely on
`Format._get_xf_index`, `Format.xf_index`, `Format.xf_format_indices` and `Format._get_format_key` as in
XlsxWriter 3.3 (pyproject.toml pins that minor range); tests/summary/test_summary_rows.py checks them against the
`s="N"` XlsxWriter itself writes, so an upgrade that changes them fails there first.
"""

from __future__ import annotations

from xlsxwriter.format import Format


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
