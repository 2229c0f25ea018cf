"""The read stage: a file's bytes → RawWorkbook, nothing trusted — the real format by content (`sniff`), a
safety pass before anything is parsed (zip members, XML, sheet extents; .xls records), then every sheet's
values (`read_workbook`): an .xlsx by the fast reader in this process (`xlsxfast`), anything it steps aside
from and every other format by calamine in the reader process. Every failure is a `ReadError`."""

from .calamine import sheet_xml
from .fence import release as release_reader
from .formats import DOCUMENT_FORMATS, SPREADSHEET_FORMATS, Sniffed, describe, sniff, sniff_parsed
from .limits import DEFAULT_LIMITS, KB, MB, Limits, ReadError, human_size
from .scan import check_zip_members
from .workbook import read_workbook

__all__ = [
    "DEFAULT_LIMITS",
    "DOCUMENT_FORMATS",
    "KB",
    "MB",
    "SPREADSHEET_FORMATS",
    "Limits",
    "ReadError",
    "Sniffed",
    "check_zip_members",
    "describe",
    "human_size",
    "read_workbook",
    "release_reader",
    "sheet_xml",
    "sniff",
    "sniff_parsed",
]
