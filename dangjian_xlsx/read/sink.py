"""What the zip safety pass feeds a member's inflated bytes to, and what its streaming scans share.

A `Sink` receives one member chunk by chunk, the last one marked final. A scan that reads tags across chunk
boundaries carries the text from the last '<' over to the next chunk; `drop_tail` keeps that carry bounded.
"""

from __future__ import annotations

import re

from .limits import KB, corrupt

TAIL_MAX = 64 * KB  # a cell tag longer than this is not a real one
# a tag's attributes (group 1) and "/" when it closes itself (group 2), up to its '>'
ATTRS = rb"((?:\s+[^\s=<>/\"']+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"

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
