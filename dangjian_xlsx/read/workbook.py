"""bytes → RawWorkbook: sniff the real format, run the safety pass, read every sheet — an .xlsx/.xlsm with the
fast reader (`xlsxfast`), anything else with python-calamine.

Nothing here trusts the file. Before python-calamine sees the bytes, a cheap pre-pass checks what calamine
would otherwise allocate blindly (calamine is Rust: an allocation failure aborts the whole process, it does
not raise): zip containers in `scan` (worksheets in `sheetscan`, an ODS's tables in `odsscan`), .xls in
`xlssafety`; the format comes from `formats.sniff`, limits and errors from `limits`; calamine is read in
`calamine`. A zip's central directory is parsed once, while sniffing (or here when the caller had sniffed),
and handed to the safety pass. This module also finds when the file was last saved.

An .xlsx/.xlsm is read here, in this process (`read_here`): its safety pass, then `xlsxfast`, which is plain
Python over members the pass has bounded and verified — nothing in it can abort the process — and gives
calamine's answer or steps aside. Every other file, and an .xlsx the fast reader steps aside from (or too
large to keep inflated), is read by the safety pass and calamine in the reader process (`fence`): a panic's
text never reaches the terminal, and an abort, a runaway allocation or a reading past `READ_SECONDS` costs
that file only — it is rejected as damaged ('file-corrupt') or as 处理超时 ('read-timeout'). Where no reader
process can be forked (Windows, a multi-threaded host), they run here, the safety pass being what stands
between hostile bytes and calamine.

Every failure is a `ReadError(code, **fields)` with `code` the value of a `messages.Code`; `fields` are
ready for `messages.render(Code(err.code), file=..., **err.fields)` (a sheet name travels as `sheet`). A
library's own (English) text behind a failure goes to the debug log only (`reasons`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..models import RawWorkbook
from ..ooxml import CORE_PROPERTIES, ODF_META
from . import fence, xlsxfast
from .calamine import read_sheets
from .formats import SPREADSHEET_FORMATS, Sniffed, describe, sniff_parsed
from .limits import DEFAULT_LIMITS, READ_SECONDS, Limits, ReadError, corrupt, human_size
from .reasons import RESAVE, log_debug, unreadable
from .scan import safety_pass
from .xlssafety import check_xls

_OOXML = frozenset({"xlsx", "xlsm"})

# ---------------------------------------------------------------- when it was saved


_DCTERMS_PREFIX = re.compile(rb'xmlns:([A-Za-z_][-\w.]*)\s*=\s*["\']http://purl\.org/dc/terms/["\']')


def _saved_at_ooxml(core: bytes | None) -> dt.datetime | None:
    """dcterms:modified of docProps/core.xml (which the safety pass has already scanned: no DTD, no
    entities), found by its namespace's prefix rather than by parsing the whole part."""
    if not core:
        return None
    prefix = _DCTERMS_PREFIX.search(core)
    if prefix is None:
        return None
    start = core.find(b"<" + prefix.group(1) + b":modified")
    if start < 0:
        return None
    # the first tag only, its text up to the next '<': one pass, however the part is made
    m = _MODIFIED.match(core, start + len(prefix.group(1)) + 10)
    return _parse_when(m.group(1).decode("utf-8", "replace") if m else None)


_MODIFIED = re.compile(rb"(?![-\w.:])[^<>]*+>([^<]*+)<")


def _saved_at_ods(meta: bytes | None) -> dt.datetime | None:
    if not meta:
        return None
    from defusedxml import ElementTree as SafeET

    try:
        root = SafeET.fromstring(meta)
    except Exception:
        return None
    el = root.find(".//{http://purl.org/dc/elements/1.1/}date")
    return _parse_when(el.text if el is not None else None)


def _parse_when(text: str | None) -> dt.datetime | None:
    """W3CDTF / ISO 8601 → naive datetime (UTC when the text had a zone, else as written)."""
    if not text:
        return None
    text = text.strip()[:64]
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        m = re.match(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})", text)
        try:
            value = dt.datetime.fromisoformat(m.group(1)) if m else None
        except ValueError:  # an impossible date (2018-02-30): the file is still read, its time unknown
            return None
        if value is None:
            return None
    if value.tzinfo is not None:
        try:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        except OverflowError:  # 0001-01-01 or 9999-12-31 with a zone
            return None
    return value


def read_workbook(
    data: bytes,
    name: str,
    limits: Limits = DEFAULT_LIMITS,
    *,
    sniffed: Sniffed | None = None,
    head_rows: Mapping[str, int] | None = None,
) -> RawWorkbook:
    """Read every sheet's values (hidden and very hidden too) of a spreadsheet given as bytes.

    `name` is only used for messages; the format is decided by content (`sniffed`: what `sniff_parsed(data)`
    already found — the format and the zip directory —, so that a caller who sniffed does not pay twice). `head_rows` (sheet name → n) names
    sheets of which only the first n rows are wanted: an .xlsx sheet whose later rows can plainly be left
    out is read only that far (`repack.first_rows`); any other sheet or format is read whole, so a caller
    gets at least the rows it asked for, maybe more. Raises ReadError only.
    Over-long cell texts are cut to `limits.max_text` characters and reported in `RawWorkbook.notes`
    as ('text-too-long', fields) with fields ready for messages.render (sheet, cell, length, limit).
    """
    try:
        fmt, plain = sniffed or sniff_parsed(data)
        _refuse_early(data, limits, fmt)
        heads = dict(head_rows) if head_rows else None
        job = (data, limits, fmt, dict(plain) if plain else None, heads)
        raw = _guarded(read_here, *job) if fmt in _OOXML else None
        return raw if raw is not None else fence.call(read_verified, *job, seconds=READ_SECONDS)
    except ReadError as err:
        log_debug(name, err)
        raise
    except fence.Lost as lost:
        err = _lost(lost)
        log_debug(name, err)
        raise err from None
    except Exception as exc:  # sniffing (it does not raise) or what this process did: the file's failure
        err = unreadable(exc)
        log_debug(name, err)
        raise err from None


def _lost(lost: fence.Lost) -> ReadError:
    """The error of a file whose reader process was lost: stopped at the time budget, or died."""
    if lost.timeout:
        return ReadError("read-timeout", seconds=f"{READ_SECONDS:g}")
    err = corrupt(f"文件内部结构异常，读取时程序意外终止；{RESAVE}")
    err.debug = f"reader process ended: {lost.detail or 'unknown'}"
    return err


def _refuse_early(data: bytes, limits: Limits, fmt: str) -> None:
    """What is refused before anything is read: empty, over the size limit, not a spreadsheet."""
    if not data:
        raise ReadError("file-empty")
    if len(data) > limits.max_file_bytes:
        raise ReadError("file-too-large", size=human_size(len(data)), limit=human_size(limits.max_file_bytes))
    if fmt == "encrypted":
        raise ReadError("file-encrypted")
    if fmt == "html":
        raise ReadError("file-html-as-xls")
    if fmt not in SPREADSHEET_FORMATS:
        raise ReadError("file-not-spreadsheet", actual=describe(data, fmt))


def read_verified(
    data: bytes,
    limits: Limits,
    fmt: str,
    plain: Mapping[str, Any] | None,
    head_rows: Mapping[str, int] | None,
) -> RawWorkbook:
    """The safety pass, then calamine (in the reader process when there is one): RawWorkbook or ReadError,
    nothing else — a panic or any other failure becomes a Chinese reason (`reasons`)."""
    raw = _guarded(_read, data, limits, fmt, plain, head_rows)
    assert raw is not None
    return raw


def read_here(
    data: bytes,
    limits: Limits,
    fmt: str,
    plain: Mapping[str, Any] | None,
    head_rows: Mapping[str, int] | None,
) -> RawWorkbook | None:
    """An .xlsx/.xlsm's safety pass and values, in this process (`xlsxfast`, pure Python: nothing there can
    abort the process); None when the package is too large to keep inflated or `xlsxfast` is unsure of it:
    the caller then reads it in the reader process, as any other format."""
    kept, members = safety_pass(data, fmt, limits, plain, keep_all=True, extents=False)
    if members is None:
        return None
    return xlsxfast.read_members(members, fmt, limits, _saved_at_ooxml(kept.get(CORE_PROPERTIES)), head_rows)


def _guarded(read: Callable[..., RawWorkbook | None], *job: Any) -> RawWorkbook | None:
    """`read(*job)` (`job` as `read_verified` takes it), whose failures are all ReadErrors."""
    data, limits = job[0], job[1]
    try:
        return read(*job)
    except ReadError:
        raise
    except MemoryError as exc:
        raise ReadError(
            "file-too-large", size=human_size(len(data)), limit=human_size(limits.max_file_bytes)
        ) from exc
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # pyo3 turns Rust panics into BaseException subclasses
        raise unreadable(exc) from None


def _read(
    data: bytes,
    limits: Limits,
    fmt: str,
    plain: Mapping[str, Any] | None,
    head_rows: Mapping[str, int] | None,
) -> RawWorkbook:
    members = None
    if fmt == "xls":
        saved_at = check_xls(data, limits)
    elif fmt == "ods":
        kept, _ = safety_pass(data, fmt, limits, plain, keep_all=False)
        saved_at = _saved_at_ods(kept.get(ODF_META))
    else:  # calamine gets the members the safety pass already inflated, stored: no second inflate
        kept, members = safety_pass(data, fmt, limits, plain, keep_all=True)
        saved_at = _saved_at_ooxml(kept.get(CORE_PROPERTIES))
    return read_sheets(data, fmt, limits, saved_at, members, head_rows)
