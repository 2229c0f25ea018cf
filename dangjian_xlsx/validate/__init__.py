"""The validate stage: a RawWorkbook against the campaign → identity, submission and problems."""

from .cells import BAD, BLANK, NORMALIZED, OK, fmt_number, item_label, parse_date, parse_score, squash
from .context import suggest
from .formulas import explain_blanks
from .identity import header_evidence, read_meta, revision
from .workbook import Validation, validate

__all__ = [
    "BAD",
    "BLANK",
    "NORMALIZED",
    "OK",
    "Validation",
    "explain_blanks",
    "fmt_number",
    "header_evidence",
    "item_label",
    "parse_date",
    "parse_score",
    "read_meta",
    "revision",
    "squash",
    "suggest",
    "validate",
]
