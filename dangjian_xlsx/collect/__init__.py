"""The collect stage: every entry of an inbox → a FileRecord (read, identified, validated), duplicates resolved."""

from .classify import looks_like_form, process_file
from .crosscheck import cross_check
from .documents import identify_report
from .inbox import discover, display_name, rel_path
from .pipeline import check_files, run_collect
from .resolve import COUNTED, form_key, natural_key, report_key, resolve

__all__ = [
    "COUNTED",
    "check_files",
    "cross_check",
    "discover",
    "display_name",
    "form_key",
    "identify_report",
    "looks_like_form",
    "natural_key",
    "process_file",
    "rel_path",
    "report_key",
    "resolve",
    "run_collect",
]
