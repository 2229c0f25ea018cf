"""The round stage: what goes back to the 党总支 after a collect — the correction pack (退回修改: notices and
corrected copies), the feedback workbooks (反馈表) and 组织部's inspection forms (督查评分表)."""

from ..outnames import FEEDBACK_DIR, PACK_DIR
from .corrections import (
    PackCounts,
    build_pack,
    count_pack,
    finish_pack,
    inbox_loader,
    pack_dir,
    pack_jobs,
    pack_lines,
    plan,
    read_notices,
    write_pack,
)
from .feedback import (
    FEEDBACK_SHEETS,
    NOT_FILLED,
    build_feedback,
    feedback_jobs,
    feedback_name,
    write_feedback,
)
from .inspection import build_inspections, write_inspections
from .mail import address_of, form_drafts, generated_names
from .notices import MISSING, REJECTED, Notice, Part, notice_text
from .plain import body_of, deadline_note

__all__ = [
    "FEEDBACK_DIR",
    "FEEDBACK_SHEETS",
    "MISSING",
    "NOT_FILLED",
    "PACK_DIR",
    "REJECTED",
    "Notice",
    "PackCounts",
    "Part",
    "address_of",
    "body_of",
    "build_feedback",
    "build_inspections",
    "build_pack",
    "count_pack",
    "deadline_note",
    "feedback_jobs",
    "feedback_name",
    "finish_pack",
    "form_drafts",
    "generated_names",
    "inbox_loader",
    "notice_text",
    "pack_dir",
    "pack_jobs",
    "pack_lines",
    "plan",
    "read_notices",
    "write_feedback",
    "write_inspections",
    "write_pack",
]
