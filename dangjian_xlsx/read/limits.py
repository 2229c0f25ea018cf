"""Reader limits and errors shared by the sniffing, safety and reading modules, and the extent check every
safety pass makes of a sheet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..messages import Code

KB = 1024
MB = 1024 * KB
GB = 1024 * MB

# The budget of one file's reading (the safety pass and calamine), where it runs in the reader process
# (`fence`): past it the file is rejected as 处理超时 ('read-timeout') and the batch goes on.
READ_SECONDS = 20.0
# What the reader process may allocate on top of what it inherited: past it the allocation fails there (a
# native reader then aborts that process only) and the file is rejected.
READ_MEMORY = 2 * GB


@dataclass(frozen=True)
class Limits:
    """What a returned form may plausibly be. Generous for real forms, tight for hostile files."""

    max_file_bytes: int = 20 * MB
    max_uncompressed_total: int = 200 * MB
    max_member_uncompressed: int = 100 * MB
    max_ratio: int = 200  # uncompressed : compressed, for members larger than ratio_floor
    ratio_floor: int = 1 * MB
    max_members: int = 2_000
    max_sheets: int = 200
    max_rows: int = 10_000
    max_cols: int = 200
    max_text: int = 10_000  # characters kept of one cell's text


DEFAULT_LIMITS = Limits()


class ReadError(Exception):
    """A file that cannot be read as a form: a problem code (`messages.Code`, or its value) and its fields."""

    def __init__(self, code: str, **fields: Any) -> None:
        self.code = Code(code)  # ValueError for an unknown code: a programming error
        self.fields = fields
        self.debug = ""  # a library's own (English) text behind the error: for the debug log only
        super().__init__(code, fields)

    def __reduce__(self) -> tuple[Any, ...]:  # it crosses from the reader process (`fence`)
        return _rebuild, (self.code.value, self.fields, self.debug)

    @property
    def message(self) -> str:
        """The Chinese message (without the file position)."""
        fields = dict(self.fields)
        sheet = fields.pop("sheet", "")
        value = fields.pop("value", "")
        fields.pop("cell", None)
        fields.pop("field", None)
        return self.code.template.format(sheet_name=sheet, value=value, **fields)

    def __str__(self) -> str:
        return f"{self.code.value}: {self.message}"


def _rebuild(code: str, fields: dict[str, Any], debug: str) -> ReadError:
    err = ReadError(code, **fields)
    err.debug = debug
    return err


def corrupt(reason: str) -> ReadError:
    """The error for a damaged or incomplete file, `reason` saying what is wrong."""
    return ReadError("file-corrupt", reason=reason)


class Extent:
    """Where a sheet's data ends (1-based row/column of the farthest value cell); raises over the limits.
    `sheet` names the sheet, only when a message needs it."""

    def __init__(self, limits: Limits, sheet: Callable[[], str]) -> None:
        self.limits = limits
        self.sheet = sheet
        self.rows = 0
        self.cols = 0

    def check(self, rows: int, cols: int) -> None:
        if rows > self.rows:
            self.rows = rows
        if cols > self.cols:
            self.cols = cols
        if self.rows > self.limits.max_rows or self.cols > self.limits.max_cols:
            raise ReadError(
                "sheet-too-large",
                sheet=self.sheet(),
                detail=f"数据区域达到 {self.rows} 行 × {self.cols} 列，上限 {self.limits.max_rows} 行 × "
                f"{self.limits.max_cols} 列",
            )


def human_size(n: int) -> str:
    """1536 → '1.5 KB'; sizes in binary units, one decimal below 10."""
    size = float(n)
    for unit in ("字节", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            if unit == "字节":
                return f"{int(size)} 字节"
            return f"{size:.1f} {unit}" if size < 10 else f"{size:.0f} {unit}"
        size /= 1024
    return f"{n} 字节"  # pragma: no cover
