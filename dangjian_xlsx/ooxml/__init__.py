"""The ooxml stage: zip packages at the byte level — the project's one zip writer, the zlib its own zip code
uses, the part names of a package and which part holds which sheet."""

from .fastzlib import zlib
from .parts import (
    CONTENT_TYPES,
    CORE_PROPERTIES,
    ODF_CONTENT,
    ODF_META,
    ODF_MIMETYPE,
    SHARED_STRINGS,
    SHEET_DIRS,
    SPREADSHEET_DIR,
    WORD_DIR,
    WORD_DOCUMENT,
    WORKBOOK,
    WORKBOOK_BIN,
    WORKBOOK_RELS,
    attribute,
    sheet_count,
    sheet_parts,
    unescape,
)
from .zipwrite import ZipWriter

__all__ = [
    "CONTENT_TYPES",
    "CORE_PROPERTIES",
    "ODF_CONTENT",
    "ODF_META",
    "ODF_MIMETYPE",
    "SHARED_STRINGS",
    "SHEET_DIRS",
    "SPREADSHEET_DIR",
    "WORD_DIR",
    "WORD_DOCUMENT",
    "WORKBOOK",
    "WORKBOOK_BIN",
    "WORKBOOK_RELS",
    "ZipWriter",
    "attribute",
    "sheet_count",
    "sheet_parts",
    "unescape",
    "zlib",
]
