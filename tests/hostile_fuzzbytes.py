"""The fuzzer's mutations of bytes and of one XML part's text (tests/hostile_fuzz.py draws them): each a
function of a seeded `random.Random` and the bytes, returning the mutated bytes."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

# ---------------------------------------------------------------- byte mutations

EDGE_BYTES = (0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE, 0x3C, 0x3E, 0x22)


def flip_bits(rnd: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        out[rnd.randrange(len(out))] ^= 1 << rnd.randrange(8)
    return bytes(out)


def set_bytes(rnd: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rnd.randint(1, 16)):
        out[rnd.randrange(len(out))] = rnd.choice(EDGE_BYTES) if rnd.random() < 0.7 else rnd.randrange(256)
    return bytes(out)


def truncate(rnd: random.Random, data: bytes) -> bytes:
    return data[: rnd.randrange(len(data))]


def insert_chunk(rnd: random.Random, data: bytes) -> bytes:
    at = rnd.randrange(len(data) + 1)
    chunk = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 64)))
    return data[:at] + chunk + data[at:]


def delete_chunk(rnd: random.Random, data: bytes) -> bytes:
    at = rnd.randrange(len(data))
    return data[:at] + data[at + rnd.randint(1, 256) :]


def copy_chunk(rnd: random.Random, data: bytes) -> bytes:
    a, b = rnd.randrange(len(data)), rnd.randrange(len(data))
    chunk = data[a : a + rnd.randint(1, 512)]
    return data[:b] + chunk + data[b + len(chunk) :]


BYTE_MUTATIONS: tuple[Callable[[random.Random, bytes], bytes], ...] = (
    flip_bits,
    set_bytes,
    truncate,
    insert_chunk,
    delete_chunk,
    copy_chunk,
)


def byte_mutation(rnd: random.Random, data: bytes) -> tuple[bytes, str]:
    fn = rnd.choice(BYTE_MUTATIONS)
    return (fn(rnd, data) if data else data), fn.__name__


# ---------------------------------------------------------------- XML mutations (one part's text)


def _attrs(n: int) -> bytes:
    return b" ".join(b'a%d="1"' % i for i in range(1, n + 1))


def _at_tag(rnd: random.Random, xml: bytes, names: tuple[bytes, ...]) -> int:
    """The position of a random tag start among `names` (any tag when none is found)."""
    spots = [m.start() for m in re.finditer(rb"<(?:" + b"|".join(names) + rb")[\s/>]", xml)]
    if not spots:
        spots = [m.start() for m in re.finditer(rb"<[A-Za-z]", xml)] or [0]
    return rnd.choice(spots)


CELLS = (b"c", b"row", b"table:table-cell", b"table:table-row", b"x:c")
EDGE_NUMBERS = (
    b"-1.1e11",
    b"-110000000000",
    b"1e308",
    b"-inf",
    b"nan",
    b"1e999",
    b"-0",
    b"99999999999999999999",
)
FAR_REFS = (b"XFD1048576", b"A99999999", b"ZZZZ1", b"A0", b"1A", b"", b" A 1 ", b"\xe4\xb8\x80")


def many_attributes(rnd: random.Random, xml: bytes) -> bytes:
    """The audit's tag: a cell or row tag with thousands of attributes that never closes properly."""
    at = _at_tag(rnd, xml, CELLS)
    name = re.match(rb"<([^\s/>]*)", xml[at:])
    tag = b"<" + (name.group(1) if name else b"c") + b" " + _attrs(rnd.choice((70, 3000, 28000))) + b" b>"
    return xml[:at] + tag + xml[at:]


def cut_tag_open(rnd: random.Random, xml: bytes) -> bytes:
    ends = [m.start() for m in re.finditer(rb">", xml)] or [0]
    at = rnd.choice(ends)
    return xml[:at] + xml[at + 1 :]


def far_reference(rnd: random.Random, xml: bytes) -> bytes:
    refs = list(re.finditer(rb'(?<=\sr=")[^"]*', xml))
    if not refs:
        return xml
    m = rnd.choice(refs)
    return xml[: m.start()] + rnd.choice(FAR_REFS) + xml[m.end() :]


def edge_number(rnd: random.Random, xml: bytes) -> bytes:
    """A value (<v>, office:value, a date-value) set to an edge: -1.1e11 as a date, 1e308, -inf …"""
    spots = list(re.finditer(rb"<v>([^<]*)</v>|office:(?:value|date-value)=\"([^\"]*)\"", xml))
    if not spots:
        return xml
    m = rnd.choice(spots)
    g = 1 if m.group(1) is not None else 2
    value = rnd.choice(EDGE_NUMBERS) if g == 1 or rnd.random() < 0.5 else b"-999999-01-01"
    return xml[: m.start(g)] + value + xml[m.end(g) :]


def missing_shared_string(rnd: random.Random, xml: bytes) -> bytes:
    cells = list(re.finditer(rb'<c ([^>]*)t="(?:s|n|inlineStr)"([^>]*)>(?:<v>[^<]*</v>|<is>.*?</is>)?', xml))
    if not cells:
        return xml
    m = rnd.choice(cells)
    return xml[: m.start()] + b'<c %s t="s"%s><v>%d</v>' % (m.group(1), m.group(2), 99999) + xml[m.end() :]


def deep_nesting(rnd: random.Random, xml: bytes) -> bytes:
    at = _at_tag(rnd, xml, CELLS)
    n = rnd.choice((100, 5000))
    return xml[:at] + b"<x>" * n + b"</x>" * n + xml[at:]


def add_dtd(rnd: random.Random, xml: bytes) -> bytes:
    decl = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    at = xml.find(b"?>")
    return xml[: at + 2] + decl + xml[at + 2 :] if at >= 0 else decl + xml


def huge_repeat(rnd: random.Random, xml: bytes) -> bytes:
    spots = list(re.finditer(rb'number-(?:rows|columns)-repeated="(\d+)"|text:c="(\d+)"', xml))
    big = str(rnd.choice((1_048_576, 16_384, 10**9, 2**31))).encode()
    if not spots:
        at = _at_tag(rnd, xml, (b"table:table-cell",))
        return xml[: at + 17] + b' table:number-columns-repeated="' + big + b'"' + xml[at + 17 :]
    m = rnd.choice(spots)
    g = 1 if m.group(1) is not None else 2
    return xml[: m.start(g)] + big + xml[m.end(g) :]


def impossible_date(rnd: random.Random, xml: bytes) -> bytes:
    spots = list(re.finditer(rb"(\d{4}-\d{2}-\d{2}T[\d:.]+Z?)", xml))
    if not spots:
        return xml
    m = rnd.choice(spots)
    when = rnd.choice((b"2018-02-30T00:00:00Z", b"9999-12-31T23:59:59-12:00", b"0000-00-00T00:00:00", b"x"))
    return xml[: m.start()] + when + xml[m.end() :]


def long_text(rnd: random.Random, xml: bytes) -> bytes:
    spots = list(re.finditer(rb"<t(?:\s[^>]*)?>|<text:p>", xml))
    if not spots:
        return xml
    m = rnd.choice(spots)
    return xml[: m.end()] + "长".encode() * rnd.choice((20_000, 200_000)) + xml[m.end() :]


XML_MUTATIONS: tuple[Callable[[random.Random, bytes], bytes], ...] = (
    many_attributes,
    cut_tag_open,
    far_reference,
    edge_number,
    missing_shared_string,
    deep_nesting,
    add_dtd,
    huge_repeat,
    impossible_date,
    long_text,
)
