"""The forms stage: the locked workbooks sent to the 党总支 (one at a time, blank, or for a whole roster) and
the editable files written by `init`."""

from .folder import MAIL_DIR, describe, earlier_files, prepare_folder, renamed, set_aside
from .generate import (
    BRANCH_FORMS,
    build_form,
    form_filename,
    generate_blank,
    generate_for_roster,
    write_init_files,
)
from .text import cn_date

__all__ = [
    "BRANCH_FORMS",
    "MAIL_DIR",
    "build_form",
    "cn_date",
    "describe",
    "earlier_files",
    "form_filename",
    "generate_blank",
    "generate_for_roster",
    "prepare_folder",
    "renamed",
    "set_aside",
    "write_init_files",
]
