"""The collect stage: every entry of an inbox → a FileRecord (read, identified, validated), duplicates resolved."""

from .classify import process_file, unreadable_report
from .containers import SEP as MEMBER_SEP
from .containers import Entry as MemberEntry
from .containers import member_bytes
from .documents import identify_report
from .inbox import discover, inbox_members
from .pipeline import check_files, run_collect
from .resolve import COUNTED, form_key, resolve

__all__ = [
    "COUNTED",
    "MEMBER_SEP",
    "MemberEntry",
    "check_files",
    "discover",
    "form_key",
    "identify_report",
    "inbox_members",
    "member_bytes",
    "process_file",
    "resolve",
    "run_collect",
    "unreadable_report",
]
