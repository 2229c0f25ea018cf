"""`attribute`: a tag's attribute by name, its pattern compiled once per name (the scans ask per tag)."""

from __future__ import annotations

import pytest

from dangjian_xlsx.ooxml import attribute


@pytest.mark.parametrize(
    ("attrs", "name", "value"),
    [
        (' name="评分表" sheetId="1"'.encode(), b"name", "评分表".encode()),
        (b" name='a\"b'", b"name", b'a"b'),
        (b' r:id="rId2"', b"r:id", b"rId2"),
        (b' xname="x" name="y"', b"name", b"y"),  # another attribute ending in the name is not it
        (b' sheetId="1"', b"name", None),
        (b'name="first"', b"name", b"first"),  # at the very start
        (b' table:name="S" table:name-x="T"', b"table:name", b"S"),
    ],
)
def test_attribute(attrs: bytes, name: bytes, value: bytes | None) -> None:
    assert attribute(attrs, name) == value
