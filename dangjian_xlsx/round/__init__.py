"""The round stage: what goes back to the 党总支 after a collect — the correction pack (退回修改: notices and
corrected copies), the feedback workbooks (反馈表) and 组织部's inspection forms (督查评分表)."""

from .corrections import (
    PACK_DIR,
    build_pack,
    copy_name,
    inbox_loader,
    pack_dir,
    plan,
    read_notices,
    write_pack,
)
from .feedback import (
    FEEDBACK_DIR,
    FEEDBACK_SHEETS,
    NOT_FILLED,
    build_feedback,
    build_one,
    feedback_name,
    section_rows,
    write_feedback,
)
from .inspection import build_inspections, inspection_prefill, write_inspections
from .notices import FIX, MISSING, REJECTED, CorrectedCopy, Notice, Part, notice_text

__all__ = [
    "FEEDBACK_DIR",
    "FEEDBACK_SHEETS",
    "FIX",
    "MISSING",
    "NOT_FILLED",
    "PACK_DIR",
    "REJECTED",
    "CorrectedCopy",
    "Notice",
    "Part",
    "build_feedback",
    "build_inspections",
    "build_one",
    "build_pack",
    "copy_name",
    "feedback_name",
    "inbox_loader",
    "inspection_prefill",
    "notice_text",
    "pack_dir",
    "plan",
    "read_notices",
    "section_rows",
    "write_feedback",
    "write_inspections",
    "write_pack",
]
