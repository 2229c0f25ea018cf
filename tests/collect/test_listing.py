"""The inbox's entries as the collecting process and its forked helper share them (issue 20): the files' paths
one string and where each ends, not ten thousand `Path` objects whose pages both processes wrote while reading
(the helper ended up with its own copy of all of them: 5.6 MB at 10,000 files)."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from dangjian_xlsx.collect.containers import Entry
from dangjian_xlsx.collect.inbox import discover
from dangjian_xlsx.collect.pipeline import _Listing

SAMPLES = Path(__file__).resolve().parents[2] / "sample_submissions"


def test_every_entry_reads_back_as_discovered() -> None:
    entries = discover(SAMPLES)
    assert any(isinstance(e, Entry) for e in entries) and len(entries) > 40  # the sample inbox's archives too
    listing = _Listing(entries)
    assert len(listing) == len(entries)
    assert [listing[k] for k in range(len(entries))] == entries
    assert all(type(listing[k]) is type(e) for k, e in enumerate(entries))


def test_odd_names_read_back(tmp_path: Path) -> None:
    names = ["文学院党总支-附件1.xlsx", "a b (1).xlsx", "空.xls", "x" * 200 + ".ods"]
    if os.name == "posix":
        names.append(os.fsdecode(b"\xff\xfe-bytes.xlsx"))  # not UTF-8: kept as the file system gave it
    entries = [tmp_path / "收件" / n for n in names]
    listing = _Listing(entries)
    assert [listing[k] for k in range(len(names))] == entries
    assert _Listing([])._text == "" and len(_Listing([])) == 0


def test_the_listing_holds_no_path_objects() -> None:
    listing = _Listing(discover(SAMPLES))
    held = gc.get_referents(*gc.get_referents(listing))
    assert not any(isinstance(o, Path) for o in held)
