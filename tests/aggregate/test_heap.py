"""aggregate/heap.map_large_blocks: what a province's tables free while they are built leaves the process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# A large block freed (glibc then raises its threshold to that size), then blocks just above the starting
# threshold made and freed: how much of them the process still holds.
PROBE = textwrap.dedent(
    """
    import sys
    from dangjian_xlsx.aggregate import heap

    def rss_kb():
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

    if sys.argv[1] == "set":
        assert heap.map_large_blocks()
    big = bytearray(8 << 20)
    del big
    before = rss_kb()
    blocks = [bytearray(heap.LARGE_BLOCK + 4096) for _ in range(200)]
    blocks.append(bytearray(1024))  # a small block above them: the heap cannot just be cut back
    del blocks[:200]
    print(rss_kb() - before)
    """
)


def _kept_kb(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True)
    return int(out.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc: Linux")
def test_freed_large_blocks_leave_the_process() -> None:
    size_kb = 200 * 132
    assert _kept_kb("plain") > size_kb // 4  # glibc alone: many of the freed blocks stay (what this is about)
    assert _kept_kb("set") < size_kb // 20  # the threshold fixed: they are given back


def test_tables_fix_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    from dangjian_xlsx.aggregate import tables

    called: list[bool] = []
    monkeypatch.setattr(tables, "map_large_blocks", lambda: called.append(True) or True)
    with pytest.raises(AttributeError):
        tables.tables_and_overview(None)  # type: ignore[arg-type]
    assert called == [True]
