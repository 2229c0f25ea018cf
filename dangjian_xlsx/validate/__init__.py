"""The validate stage: a RawWorkbook against the campaign → identity, submission and problems."""

from .cells import BAD, BLANK, NORMALIZED, OK, fmt_number, item_label, parse_date, parse_score, squash
from .context import suggest
from .formulas import explain_blanks
from .identity import HEADER_EVIDENCE, read_meta, revision
from .workbook import Validation, validate

__all__ = [
    "BAD",
    "BLANK",
    "HEADER_EVIDENCE",
    "NORMALIZED",
    "OK",
    "Validation",
    "explain_blanks",
    "fmt_number",
    "item_label",
    "parse_date",
    "parse_score",
    "read_meta",
    "revision",
    "squash",
    "suggest",
    "validate",
]
