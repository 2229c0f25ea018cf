"""What a library said, in Chinese: the reason shown for a file calamine, zipfile or the Python runtime could
not read (a Rust panic included), with what the sender can do. The library's own (English) text never
reaches the user: it travels on the ReadError as `debug` and is written to the `dangjian_xlsx.read` logger at
DEBUG level only (not shown unless logging is configured for it).
"""

from __future__ import annotations

import logging

from .limits import ReadError

log = logging.getLogger("dangjian_xlsx.read")

RESAVE = "可用 Excel/WPS 打开后另存为 .xlsx 再发送"

# (fragment of the library's text, lower case) → what is wrong, in the order they are tried
_REASONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("shared string", "string index", "sharedstrings"), "共享字符串表缺项，单元格引用的文字不存在"),
    (("cannot detect file format",), "文件内容与表格格式不符，无法识别"),
    (("password", "encrypt"), "文件带有密码或加密信息"),
    (
        ("worksheet", "relationship not found", "not found in archive", "file not found", "cannot find"),
        "缺少工作表或必需的部件",
    ),
    (("zip", "crc", "eocd", "deflate", "archive"), "压缩包结构损坏"),
    (
        ("invalid ole", "cfb", "sector", "root directory", "fat", "minisector", "stream"),
        ".xls 文件的复合文档结构损坏",
    ),
    (
        ("record", "length", "continue", "biff", "iftab", "etpg", "formula", "stack", "codepage", "ifmt"),
        "工作表记录损坏",
    ),
    (("column", "row number", "range", "alphanumeric", "dimension", "cell name"), "单元格地址错误"),
    (("utf-8", "utf8", "encoding", "decode"), "文字编码错误"),
    (("xml", "expecting", "node", "attribute", "tag", "escape", "entity"), "表格内部的 XML 内容损坏"),
    (
        ("parse", "float", "integer", "bool", "cell error", "'t' attribute", "unrecognized", "unsupported"),
        "单元格数据格式错误",
    ),
    (("i/o", "unexpected eof", "end of stream", "truncat"), "文件数据不完整"),
)
_PANIC = "文件中有读取程序无法处理的异常数据"
_UNKNOWN = "表格内容无法解析"


def library_text(exc: BaseException) -> str:
    """The exception's own text (its first line), for the debug log."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def what_is_wrong(exc: BaseException) -> str:
    """What is wrong with the file, in Chinese, from a library's exception (English never shown)."""
    if type(exc).__name__ == "PanicException":
        return _PANIC
    if isinstance(exc, RecursionError):
        return "表格内部结构嵌套过深"
    text = str(exc).lower()
    for fragments, reason in _REASONS:
        if any(f in text for f in fragments):
            return reason
    return _UNKNOWN


def unreadable(exc: BaseException) -> ReadError:
    """The ReadError for a file a library could not read: 'file-corrupt' with a Chinese reason and what to do;
    the library's text kept as the error's `debug`."""
    err = ReadError("file-corrupt", reason=f"{what_is_wrong(exc)}；{RESAVE}")
    err.debug = library_text(exc)
    return err


def log_debug(name: str, err: ReadError) -> None:
    """The library's text behind a rejection, at DEBUG level (nothing when the error has none)."""
    if err.debug:
        log.debug("%s: %s (%s)", name, err.code.value, err.debug)
