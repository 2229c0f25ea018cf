"""What the zip safety pass feeds a member's inflated bytes to, and what its streaming scans share.

A `Sink` receives one member chunk by chunk, the last one marked final. A scan that reads tags across chunk
boundaries carries the text from the last '<' over to the next chunk; `drop_tail` keeps that carry bounded.
"""

from __future__ import annotations

import re

from .limits import KB, corrupt

TAIL_MAX = 64 * KB  # a cell tag longer than this is not a real one
MAX_ATTRS = 64  # attributes of one tag: a real cell or row tag has a dozen at most
# One attribute: the name, "=", the quoted value; nothing in it can be matched two ways.
ATTR = rb"\s+[^\s=<>/\"']+\s*=\s*(?:\"[^\"]*\"|'[^']*')"
# A tag's attributes (group 1) and "/" when it closes itself (group 2), up to its '>'. The attributes are
# taken possessively (never given back) and at most MAX_ATTRS of them: matching costs one pass over the tag,
# however it is made (a tag with more, or that never closes properly, does not match: the scans call it
# malformed).
ATTRS = rb"((?:" + ATTR + rb"){0,%d}+)\s*(/?)>" % MAX_ATTRS

_ELEMENT_NAME = re.compile(rb"<([^\s<>/]*)")


class Sink:
    """Receives one member's inflated bytes chunk by chunk."""

    def feed(self, chunk: bytes, final: bool) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def drop_tail(tail: bytes, names: tuple[bytes, ...]) -> bytes:
    """A tail (from the last '<') grown past TAIL_MAX: fail if it is a tag we track, else forget it."""
    m = _ELEMENT_NAME.match(tail)
    name = m.group(1) if m else b""
    if len(name) > 256 or name.rsplit(b":", 1)[-1] in names or name in names:
        raise corrupt("工作表中有异常的超长单元格标记")
    return b""
