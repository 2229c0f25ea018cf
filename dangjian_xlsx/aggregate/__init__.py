"""The aggregate stage: a Report → which file counts per 党总支 and form, pandas tables and overview counts."""

from ..layout import DONE_STATUS
from .current import (
    STATE_FIX,
    STATE_MISSING,
    STATE_OK,
    SUB_FIX,
    SUB_MISSING,
    SUB_OK,
    SUB_WARN,
    BranchFiles,
    branch_files,
    current_inspections,
)
from .frames import is_missing, rows, short_text
from .inspection import (
    BASIS_INSPECTION,
    BASIS_SELF,
    FLAG_INFLATED,
    INSPECTION_BRANCH_COLUMNS,
    INSPECTION_ITEM_COLUMNS,
    INSPECTION_SCORE_COLUMNS,
)
from .scores import LEDGER_COLUMNS, LEVEL_ITEM, LEVEL_SECTION, SCORE_FIX, SCORE_META, SCORE_MISSING, SCORE_OK
from .tables import Overview, Tables, build_tables, overview, tables_and_overview
from .tasks import TASK_COUNT_COLUMNS

__all__ = [
    "BASIS_INSPECTION",
    "BASIS_SELF",
    "DONE_STATUS",
    "FLAG_INFLATED",
    "INSPECTION_BRANCH_COLUMNS",
    "INSPECTION_ITEM_COLUMNS",
    "INSPECTION_SCORE_COLUMNS",
    "LEDGER_COLUMNS",
    "LEVEL_ITEM",
    "LEVEL_SECTION",
    "SCORE_FIX",
    "SCORE_META",
    "SCORE_MISSING",
    "SCORE_OK",
    "STATE_FIX",
    "STATE_MISSING",
    "STATE_OK",
    "SUB_FIX",
    "SUB_MISSING",
    "SUB_OK",
    "SUB_WARN",
    "TASK_COUNT_COLUMNS",
    "BranchFiles",
    "Overview",
    "Tables",
    "branch_files",
    "build_tables",
    "current_inspections",
    "is_missing",
    "overview",
    "rows",
    "short_text",
    "tables_and_overview",
]
