"""The collect stage: every entry of an inbox → a FileRecord (read, identified, validated), duplicates resolved."""

from .classify import process_file, unreadable_report
from .documents import identify_report
from .inbox import discover
from .pipeline import check_files, run_collect
from .resolve import COUNTED, form_key, resolve

__all__ = [
    "COUNTED",
    "check_files",
    "discover",
    "form_key",
    "identify_report",
    "process_file",
    "resolve",
    "run_collect",
    "unreadable_report",
]
