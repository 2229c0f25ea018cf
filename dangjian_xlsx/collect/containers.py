"""Archives and saved e-mails in the inbox: every member of a .zip and every attachment of an .eml is an
entry of its own, read like a file in the folder, shown as `压缩包名 › 成员名` / `邮件主题 › 附件名`.

Nothing is extracted to disk and the inputs are only read. `expand` lists a container's members (in the
main process: a zip's directory, an e-mail's parts); `member_bytes` re-opens the container and takes one
member's bytes (in the worker that reads it). The reader's limits (read/limits.py) apply as to a file in the
folder: a container larger than `max_file_bytes` is not opened; more than `max_members` members or more than
`max_uncompressed_total` in all refuses the whole archive; a member larger than `max_file_bytes` (declared or
actually inflated) or inflating more than `max_ratio`:1 past `ratio_floor` is refused, as is an encrypted
member. A zip in a zip (or in an e-mail) is opened (depth 2); a container one level deeper is listed as
refused. Names in zips written by Chinese Windows tools (GBK bytes without the UTF-8 flag 0x800, which
zipfile reads as cp437) are turned back into bytes and decoded as UTF-8, else GBK. RAR and 7z archives
cannot be read (no reader is installed): they are listed with what to do.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import read
from ..messages import Code, render
from ..models import FileRecord, Outcome, Problem, Severity
from . import mailfrom

SEP = " › "
MAX_DEPTH = 2  # a container inside a container is opened; one inside that is refused
ZIP_SUFFIXES = frozenset({".zip"})
MAIL_SUFFIXES = frozenset({".eml"})
OTHER_ARCHIVES = {".rar": "RAR", ".7z": "7z"}
_MAGIC = {b"Rar!\x1a\x07": "RAR", b"7z\xbc\xaf\x27\x1c": "7z"}
_UTF8_FLAG = 0x800
_NO_PASSWORD = {
    "reason": "压缩包中的这个文件设置了密码，无法读取",
    "todo": "请对方不加密码重新压缩，或直接发送文件",
}
_TOO_DEEP = {
    "reason": f"压缩包或邮件套了 {MAX_DEPTH} 层以上，未打开",
    "todo": "请先解压，再把其中的文件放入收件文件夹",
}


class Refused(Exception):
    """A container or member that cannot be read: a problem code (messages.Code value) and its fields."""

    def __init__(self, code: str, **fields: str) -> None:
        super().__init__(code, fields)
        self.code = code
        self.fields = fields


@dataclass(frozen=True)
class Entry:
    """One member of a container in the inbox, to be read like a file (picklable: it goes to a worker)."""

    container: str  # the container file in the inbox (os.fsdecode of its path)
    chain: tuple[str, ...]  # the member's key at each level, outermost first
    shown: str  # as the user sees it: `压缩包名 › 成员名`, `邮件主题 › 附件名`
    where: str  # the path evidence is read from: the container's name as a folder, then the member's path
    name: str  # the member's own file name
    sender: str = ""  # the address of the e-mail it came in (evidence of who sent it)
    mtime: float = 0.0
    refusal: tuple[str, dict[str, str]] | None = field(default=None, hash=False)  # why it cannot be read


@dataclass
class Item:
    """A member as listed: its key, path inside the container, sender, time, why not readable."""

    key: str
    path: str
    sender: str = ""
    mtime: float = 0.0
    refusal: tuple[str, dict[str, str]] | None = None


def kind(name: str, head: bytes = b"") -> str:
    """'zip', 'mail', 'RAR', '7z' for a container by its name's suffix, else '' (a file named as a form is
    read as one, whatever it holds); a RAR or 7z archive named .zip is told by its first bytes."""
    suffix = os.path.splitext(name)[1].lower()
    found = (
        "zip"
        if suffix in ZIP_SUFFIXES
        else "mail"
        if suffix in MAIL_SUFFIXES
        else OTHER_ARCHIVES.get(suffix, "")
    )
    if found:
        found = next((what for magic, what in _MAGIC.items() if head.startswith(magic)), found)
    return found


def unreadable_archive(what: str) -> Refused:
    """The refusal of an archive no reader is installed for."""
    return Refused(
        "file-unreadable",
        reason=f"无法读取：需要 {what} 解压工具",
        todo="请用解压软件解压后把其中的文件放入收件文件夹，或请对方改用 .zip 压缩包或直接发送文件",
    )


def list_items(data: bytes, name: str, mtime: float) -> tuple[str, list[Item]]:
    """(the container's title — an e-mail's subject, else '' —, its members); Refused when it cannot be
    opened at all."""
    what = kind(name, data[:8])
    if what == "zip":
        return "", zip_items(data)
    if what != "mail":
        raise unreadable_archive(what or "解压")
    try:
        mail = mailfrom.parse(data, mtime)
    except Exception as exc:  # the standard parser is lenient; anything it still cannot take is damage
        raise Refused("file-corrupt", reason="邮件文件无法解析") from exc
    return mail.subject, [Item(k, n, mail.sender, mail.mtime) for k, n in mail.attachments]


def zip_items(data: bytes) -> list[Item]:
    """Every file member of a zip, within the reader's limits (module doc)."""
    limits = read.DEFAULT_LIMITS
    try:
        infos = [i for i in zipfile.ZipFile(io.BytesIO(data)).infolist() if not i.is_dir()]
    except Exception as exc:  # zipfile's own errors, and whatever a damaged directory makes it raise
        raise Refused("file-corrupt", reason="压缩包已损坏或不完整") from exc
    if len(infos) > limits.max_members:
        raise Refused("zip-bomb", detail=f"含有 {len(infos)} 个文件，上限 {limits.max_members}")
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_total:
        most = read.human_size(limits.max_uncompressed_total)
        raise Refused("zip-bomb", detail=f"解压后共 {read.human_size(total)}，上限 {most}")
    return [Item(i.filename, member_name(i), mtime=_zip_time(i), refusal=_member_refusal(i)) for i in infos]


def member_name(info: zipfile.ZipInfo) -> str:
    """A zip member's name as written: UTF-8 when flagged; else the bytes zipfile read as cp437 decoded as
    UTF-8, then GBK (Chinese Windows tools), else left as zipfile read them."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for codec in ("utf-8", "gbk"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.filename


def _zip_time(info: zipfile.ZipInfo) -> float:
    import datetime as dt

    try:
        return dt.datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError):
        return 0.0


def _member_refusal(info: zipfile.ZipInfo) -> tuple[str, dict[str, str]] | None:
    limits = read.DEFAULT_LIMITS
    if info.flag_bits & 0x1:
        return ("file-unreadable", _NO_PASSWORD)
    if info.file_size > limits.max_file_bytes:
        return ("file-too-large", {"size": read.human_size(info.file_size), "limit": _most()})
    if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        return ("zip-bomb", {"detail": f"压缩比 {ratio}:1，上限 {limits.max_ratio}:1"})
    return None


def _most() -> str:
    return read.human_size(read.DEFAULT_LIMITS.max_file_bytes)


def take(data: bytes, name: str, key: str) -> bytes:
    """One member's bytes (at most `max_file_bytes`, CRC checked); Refused when it cannot be taken."""
    what = kind(name, data[:8])
    if what == "mail":
        try:
            out = mailfrom.attachment(data, key)
        except LookupError as exc:
            raise Refused("file-corrupt", reason=str(exc)) from exc
        except Exception as exc:  # as in `list_items`
            raise Refused("file-corrupt", reason="邮件文件无法解析") from exc
        if len(out) > read.DEFAULT_LIMITS.max_file_bytes:
            raise Refused("file-too-large", size=read.human_size(len(out)), limit=_most())
        return out
    if what != "zip":
        raise unreadable_archive(what or "解压")
    limit = read.DEFAULT_LIMITS.max_file_bytes
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        info = zf.getinfo(key)
        refusal = _member_refusal(info)
        if refusal is not None:
            raise Refused(refusal[0], **refusal[1])
        with zf.open(info) as fh:
            out = fh.read(limit + 1)
    except Refused:
        raise
    except Exception as exc:  # a bad CRC, a damaged stream, an unsupported method …
        raise Refused("file-corrupt", reason="压缩包中的这个文件已损坏") from exc
    if len(out) > limit:
        raise Refused("file-too-large", size=f"超过 {_most()}", limit=_most())
    return out


def expand(path: Path, shown: str, where: str, used: set[str]) -> Iterator[Entry]:
    """The member entries of one container file in the inbox (none when it cannot be opened: the
    container's own record says why). `used`: the shown prefixes already given (two e-mails with one
    subject are told apart by their file names)."""
    if not kind(path.name):  # not named as a container: never opened as one (`list_items`), so not read
        return
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > read.DEFAULT_LIMITS.max_file_bytes:
            return
        data = path.read_bytes()
        title, items = list_items(data, path.name, st.st_mtime)
    except (OSError, Refused):
        return
    prefix = _prefix(shown, title, used)
    folder = _folder(where, title)
    yield from _entries(os.fsdecode(path), (), data, path.name, items, prefix, folder, 1)


def _prefix(shown: str, title: str, used: set[str]) -> str:
    """What a container's members are shown under: an e-mail's subject (in its folder), else its name."""
    if not title:
        used.add(shown)
        return shown
    head = shown.rsplit("/", 1)[0] + "/" if "/" in shown else ""
    prefix = head + title
    if prefix in used:
        prefix = f"{prefix}（{shown.rsplit('/', 1)[-1]}）"
    used.add(prefix)
    return prefix


def _folder(where: str, title: str) -> str:
    """The container as a folder in the evidence path: its subject, else its name without suffix."""
    head, _, last = where.rpartition("/")
    stem = title or os.path.splitext(last)[0]
    return f"{head}/{stem}" if head else stem


def _entries(
    container: str,
    chain: tuple[str, ...],
    data: bytes,
    name: str,
    items: list[Item],
    prefix: str,
    folder: str,
    depth: int,
) -> Iterator[Entry]:
    for it in items:
        member = it.path.rsplit("/", 1)[-1]
        shown, where, keys = f"{prefix}{SEP}{it.path}", f"{folder}/{it.path}", (*chain, it.key)
        refusal = it.refusal
        nested = kind(member) if refusal is None else ""
        if nested and depth >= MAX_DEPTH:
            refusal = ("file-unreadable", _TOO_DEEP)
        yield Entry(container, keys, shown, where, member, it.sender, it.mtime, refusal)
        if nested and refusal is None:
            yield from _nested(container, keys, data, name, it, shown, where, depth)


def _nested(
    container: str,
    keys: tuple[str, ...],
    data: bytes,
    name: str,
    it: Item,
    shown: str,
    where: str,
    depth: int,
) -> Iterator[Entry]:
    """The members of a container inside a container (its own record says why when it cannot be opened)."""
    member = it.path.rsplit("/", 1)[-1]
    try:
        inner = take(data, name, it.key)
        title, items = list_items(inner, member, it.mtime)
    except Refused:
        return
    for sub in items:
        sub.sender = sub.sender or it.sender
    prefix = f"{shown.rsplit(SEP, 1)[0]}{SEP}{title}" if title else shown
    yield from _entries(container, keys, inner, member, items, prefix, _folder(where, title), depth + 1)


def member_bytes(entry: Entry) -> bytes:
    """Re-open the container and take the entry's bytes, level by level; Refused when it cannot."""
    path = Path(entry.container)
    limit = read.DEFAULT_LIMITS.max_file_bytes
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise Refused("file-unreadable", reason=exc.strerror or type(exc).__name__) from exc
    if len(data) > limit:
        raise Refused("file-too-large", size=f"超过 {_most()}", limit=_most())
    name = path.name
    for key in entry.chain[:-1]:
        data, name = take(data, name, key), _inner_name(data, name, key)
    return take(data, name, entry.chain[-1])


def _inner_name(data: bytes, name: str, key: str) -> str:
    """The file name of a member that is itself a container (for telling a zip from an e-mail)."""
    _title, items = list_items(data, name, 0.0)
    return next((it.path.rsplit("/", 1)[-1] for it in items if it.key == key), key)


def refused_record(rel: str, exc: Refused, meta: dict[str, Any], unit: str) -> FileRecord:
    """A container or member that cannot be read, rejected: why (short: the record's reason) and what to do."""
    fields = dict(exc.fields)
    todo = fields.pop("todo", "")
    code = Code(exc.code)
    if code is not Code.FILE_UNREADABLE:
        p = render(code, file=rel, unit=unit, **fields)
        return FileRecord(path=rel, outcome=Outcome.REJECTED, reason=code.reason_for(unit) or p.message,
                          problems=[p], **meta)  # fmt: skip
    why = fields.get("reason", "")
    p = Problem(file=rel, code=code.value, severity=Severity.ERROR, message=f"{why}。{todo}" if todo else why)
    return FileRecord(path=rel, outcome=Outcome.REJECTED, reason=why, problems=[p], **meta)


def container_record(data: bytes, name: str, rel: str, meta: dict[str, Any], unit: str) -> FileRecord:
    """An archive or saved e-mail: listed as opened (its members follow it, each read like a file), or
    rejected with why it cannot be opened and what to do."""
    try:
        title, items = list_items(data, name, meta.get("mtime", 0.0))
    except Refused as exc:
        return refused_record(rel, exc, meta, unit)
    what = f"邮件“{title}”" if kind(name) == "mail" else "压缩包"
    reason = f"{what}，已展开：含 {len(items)} 个文件（每个文件单独列出）" if items else f"{what}中没有文件"
    return FileRecord(path=rel, outcome=Outcome.IGNORED, reason=reason, problems=[], **meta)
