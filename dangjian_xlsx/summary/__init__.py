"""The summary stage: the aggregate tables and overview → the school-wide summary workbook (汇总表.xlsx) and
its CSV/JSON exports; the workbook toolkit (formats, columns, tables) that later stages' workbooks share."""

from ..outnames import export_paths, summary_path
from .colours import (
    FIX_STATES,
    OUTCOME_TONES,
    PALETTE,
    ROLE_TONES,
    SEVERITY_TONES,
    STATUS_COLOURS,
    status_colours,
    task_tones,
)
from .columns import SCORE_COLUMNS
from .exports import (
    FORMULA_PREFIXES,
    csv_bytes,
    csv_cell,
    csv_frame,
    json_records,
    py,
    write_exports,
)
from .previous import Previous, read_previous
from .splice import MIN_ROWS, BodyRows, row_height_xml
from .style import (
    EXCEL_MAX_CHARS,
    FONT,
    S_SCORES,
    S_TASKS,
    SHEETS,
    TRUNCATED,
    Col,
    Formats,
    clip,
    col_index,
    plain_table,
    print_setup,
    put,
    table,
    title,
)
from .workbook import build_summary, new_workbook, workbook_options, write_summary

__all__ = [
    "EXCEL_MAX_CHARS",
    "FIX_STATES",
    "FONT",
    "FORMULA_PREFIXES",
    "MIN_ROWS",
    "OUTCOME_TONES",
    "PALETTE",
    "ROLE_TONES",
    "SCORE_COLUMNS",
    "SEVERITY_TONES",
    "SHEETS",
    "STATUS_COLOURS",
    "S_SCORES",
    "S_TASKS",
    "TRUNCATED",
    "BodyRows",
    "Col",
    "Formats",
    "Previous",
    "build_summary",
    "clip",
    "col_index",
    "csv_bytes",
    "csv_cell",
    "csv_frame",
    "export_paths",
    "json_records",
    "new_workbook",
    "plain_table",
    "print_setup",
    "put",
    "py",
    "read_previous",
    "row_height_xml",
    "status_colours",
    "summary_path",
    "table",
    "task_tones",
    "title",
    "workbook_options",
    "write_exports",
    "write_summary",
]
