"""A saved e-mail (.eml): its subject, its sender's address, its attachments; and the roster branch whose 邮箱
is that address (evidence of who sent a file, collect/evidence.py). Standard library only."""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from email.message import Message

from ..models import Branch

_ADDRESS_SPLIT = re.compile(r"[\s,;，；、]+")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass
class Mail:
    subject: str
    sender: str  # the From address, lower case ('' when none)
    mtime: float  # the Date header, else the file's modification time
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (key, file name)


def _message(data: bytes) -> Message:
    return email.message_from_bytes(data, policy=email.policy.default)


def _parts(msg: Message) -> list[Message]:
    return list(msg.walk())


def _file_name(part: Message) -> str:
    if part.is_multipart():
        return ""
    try:
        name = part.get_filename() or ""
    except (ValueError, LookupError, TypeError):
        return ""
    return _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()


def parse(data: bytes, mtime: float) -> Mail:
    """The subject (control characters and slashes replaced), sender and attachments of a saved e-mail.
    An attachment is any part with a file name, in the order the message holds them."""
    msg = _message(data)
    subject = _UNSAFE.sub(" ", str(msg.get("subject", "") or "")).strip() or "（无主题）"
    mail = Mail(subject[:80], sender_address(str(msg.get("from", "") or "")), _date(msg, mtime))
    for k, part in enumerate(_parts(msg)):
        name = _file_name(part)
        if name:
            mail.attachments.append((str(k), name))
    return mail


def _date(msg: Message, fallback: float) -> float:
    try:
        when = email.utils.parsedate_to_datetime(str(msg.get("date", "")))
    except (TypeError, ValueError, IndexError):
        return fallback
    return when.timestamp() if when is not None else fallback


def sender_address(header: str) -> str:
    """The address of a From header, lower case ('' when none)."""
    return email.utils.parseaddr(header)[1].strip().lower()


def attachment(data: bytes, key: str) -> bytes:
    """The decoded bytes of the attachment `key` (see `parse`); LookupError (saying why, in Chinese) when it
    is missing or cannot be decoded."""
    parts = _parts(_message(data))
    try:
        part = parts[int(key)]
    except (ValueError, IndexError) as exc:
        raise LookupError("邮件中找不到这个附件") from exc
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise LookupError("邮件附件的内容无法解码")
    return payload


def branch_by_sender(sender: str, roster: tuple[Branch, ...]) -> Branch | None:
    """The one roster branch whose 邮箱 (one or more addresses) is `sender`, else None."""
    if not sender:
        return None
    found = [b for b in roster if sender in {a.lower() for a in _ADDRESS_SPLIT.split(b.email) if a}]
    return found[0] if len(found) == 1 else None
