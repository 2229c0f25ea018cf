"""Text from outside made safe to show: control characters drawn as visible symbols.

A submitted cell or a file name may hold control characters: ESC (a terminal escape sequence can clear the
clerk's screen or overwrite the verdict line), other C0 and C1 controls, bidi overrides (which reorder what
is shown: a name can read backwards). `visible` draws each as a symbol instead: C0 controls and DEL
as their Control Pictures (ESC → ␛, U+241B), the others as `<U+202E>`. Applied once where such text enters
(validate: a submission's text; collect: a file's display path; round: the notices), and again before
anything is printed, so the terminal, the notices and the summary show the same symbols.

Tabs and line breaks are kept where text may span lines (`newlines=True`: a cell's text, a notice); in a
name (`newlines=False`) they are drawn too. Applying it twice changes nothing.
"""

from __future__ import annotations

import re

_PICTURES = 0x2400  # U+2400 … U+241F: the Control Pictures of C0; U+2421 is DEL's
_DEL_PICTURE = "\u2421"

# C0 (but tab and line feed, handled by the caller's choice), DEL, C1, the bidi embeddings, overrides and
# isolates, the implicit marks, the Arabic letter mark, and the line and paragraph separators (a line break
# the notices and the terminal would not expect).
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_ANY = re.compile(f"[{_CONTROLS}\t\n]")
_NOT_LINES = re.compile(f"[{_CONTROLS}]")


def _symbol(m: re.Match[str]) -> str:
    c = m.group()
    code = ord(c)
    if code < 0x20:
        return chr(_PICTURES + code)
    if code == 0x7F:
        return _DEL_PICTURE
    return f"<U+{code:04X}>"


def visible(text: str, *, newlines: bool = True) -> str:
    """`text` with every control character drawn as a visible symbol; with `newlines`, tabs and line feeds
    are kept (a CR before a line feed is dropped, a CR alone becomes a line feed)."""
    if newlines:
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return _NOT_LINES.sub(_symbol, text)
    return _ANY.sub(_symbol, text)


def has_controls(text: str, *, newlines: bool = True) -> bool:
    """True when `visible` would change `text`."""
    return (_NOT_LINES if newlines else _ANY).search(text) is not None or (newlines and "\r" in text)
