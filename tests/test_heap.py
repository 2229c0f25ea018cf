"""heap.py: the C allocator told how a province's collect uses it (glibc; nothing elsewhere)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fresh import run_json

from dangjian_xlsx import heap

GLIBC = sys.platform.startswith("linux") and heap._libc() is not None and hasattr(heap._libc(), "mallopt")

_PROBE = """
import ctypes, json, sys
from dangjian_xlsx import heap

class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
if sys.argv[-1] == "steady":
    heap.steady_large_blocks()
libc.free(libc.malloc(8 << 20))  # a large block freed: glibc raises its own bound to its size
before = libc.mallinfo2().hblks
block = libc.malloc(600 << 10)  # a long column's size
mapped = libc.mallinfo2().hblks - before
libc.free(block)
print(json.dumps(mapped))
"""


@pytest.mark.skipif(not GLIBC, reason="glibc's mallopt")
@pytest.mark.parametrize("steady", [False, True])
def test_a_long_column_is_mapped_on_its_own_whatever_was_freed_before(steady: bool) -> None:
    """Once a large block was freed, glibc carves blocks up to that size from the heap, where the holes they
    leave stay with the process; told `steady_large_blocks`, a 600 KB block is still mapped on its own."""
    mapped = run_json(_PROBE, *(["steady"] if steady else []))
    assert mapped == (1 if steady else 0)


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc_trim")
def test_free_memory_can_be_given_back_here() -> None:
    heap.give_back_free_memory()  # no error, whatever there is to give back


def test_a_collect_keeps_large_blocks_steady(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from dangjian_xlsx.catalog import default_campaign
    from dangjian_xlsx.collect import run_collect

    calls: list[int] = []
    monkeypatch.setattr(heap, "steady_large_blocks", lambda: calls.append(1))
    run_collect(tmp_path, default_campaign(), jobs=1)
    assert calls == [1]
