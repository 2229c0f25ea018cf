"""The texts of an .xlsx as calamine reads them, for the fast reader (`xlsxfast`): the shared strings, a
`<si>` or an inline `<is>` whole (plain, or runs with their formatting), entities and character references.
`Unsure` where calamine may read a text otherwise (whitespace it trims, line ends it normalises, `_xHHHH_`
escapes it decodes, a phonetic run it leaves out, an unknown entity it refuses).

Shared strings repeat from file to file (every return of a form carries the form's own texts): the text of
one `<si>` is parsed once and remembered by its bytes (`TEXTS`, cleared when it holds `TEXTS_MAX`)."""

from __future__ import annotations

import re

from .xlsxparts import DECLARATION, Unsure, is_utf8, unescape, whole

TEXTS: dict[bytes, str] = {}  # one <si>'s bytes → its text (see the module doc)
TEXTS_MAX = 4096
_SI_PLAIN = re.compile(rb'<t(?: xml:space="preserve")?>([^<]*)</t>|<t/>')
# one <si>'s content, whole: plain text, or runs with their (attribute-only) formatting
_RUN = (
    rb"<r>(?:<rPr>(?:<[A-Za-z]+(?:\s+[A-Za-z:]+=\"[^\"<>]*\")*\s*/>)*</rPr>|<rPr/>)?"
    + rb"(?:<t(?: xml:space=\"preserve\")?>[^<]*</t>|<t/>)</r>"
)
# … and, after them, the phonetic settings East Asian Excel writes (no text: calamine passes over them)
_PHONETIC_PR = rb"(?:<phoneticPr(?:\s+[A-Za-z:]+=\"[^\"<>]*\")*\s*/>)?"
# the grammar of a text's content, whole: of a shared string's <si>, and of a cell's inline <is> (`xlsxfast`)
SI_CONTENT = rb"(?:(?:<t(?: xml:space=\"preserve\")?>[^<]*</t>|<t/>)|(?:" + _RUN + rb")+)?" + _PHONETIC_PR
_SI_WHOLE = re.compile(SI_CONTENT)
_SST_TAG = re.compile(rb"<sst(?:\s+[\w.:-]+=\"[^\"<]*\")*\s*>")
_ESCAPE_X = re.compile(rb"_x[0-9A-Fa-f]{4}_")


def shared_strings(xml: bytes | None) -> list[str]:
    if xml is None:
        return []
    # UTF-8 checked per piece: the head here, each <si> when it is first read (`si_text`), not the part again
    head, sep, body = whole(xml, b"sst", utf8=False).partition(b"<si>")
    if not sep:
        if b"<si" in xml or not is_utf8(xml):
            raise Unsure
        return []
    declaration = DECLARATION.match(head)
    if _SST_TAG.fullmatch(head, declaration.end() if declaration else 0) is None or not is_utf8(head):
        raise Unsure
    pieces = body.split(b"<si>")
    last = pieces[-1]
    end = last.rfind(b"</si>")
    if end < 0 or last[end + 5 :].strip() not in (b"</sst>",):
        raise Unsure
    pieces[-1] = last[: end + 5]
    if len(TEXTS) > TEXTS_MAX:
        TEXTS.clear()
    out = list(map(TEXTS.get, pieces))  # a form's own texts are known: one look-up each, no Python step
    if None in out:
        for k, piece in enumerate(pieces):
            if out[k] is None:
                out[k] = TEXTS[piece] = si_text(piece)
    return out  # type: ignore[return-value]


def si_text(piece: bytes) -> str:
    """The text of one `<si>…</si>` (without its opening tag): the whole piece UTF-8 (its formatting's
    attributes too: calamine decodes them)."""
    end = len(piece) - 5
    if not piece.endswith(b"</si>") or _SI_WHOLE.fullmatch(piece, 0, end) is None or not is_utf8(piece):
        raise Unsure
    parts = []
    for m in _SI_PLAIN.finditer(piece, 0, end):
        raw = m.group(1) or b""
        if raw and m.group().startswith(b"<t>") and (raw[:1] in b" \t\n" or raw[-1:] in b" \t\n"):
            raise Unsure  # whitespace around a text not marked preserved: calamine may trim it
        parts.append(raw)
    return text(b"".join(parts))


def text(raw: bytes) -> str:
    """Element text → str; Unsure where calamine may read it otherwise (line ends it normalises, `_xHHHH_`
    escapes it decodes)."""
    if b"&" in raw:
        raw = unescape(raw)
    if b"\r" in raw or (b"_x" in raw and _ESCAPE_X.search(raw)):
        raise Unsure
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Unsure from None
