"""The forms stage: the locked workbooks sent to the 党总支 (one at a time, blank, or for a whole roster) and
the editable files written by `init`."""

from .generate import (
    BRANCH_FORMS,
    build_form,
    form_filename,
    generate_blank,
    generate_for_roster,
    write_init_files,
)

__all__ = [
    "BRANCH_FORMS",
    "build_form",
    "form_filename",
    "generate_blank",
    "generate_for_roster",
    "write_init_files",
]
