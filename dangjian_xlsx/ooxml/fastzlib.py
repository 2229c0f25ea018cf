"""The zlib that the project's own zip code uses (safety pass, repack, summary splice).

zlib-ng's drop-in module where it is installed — the same API, quicker to inflate, to deflate and to compute
CRC-32 — else the standard one (a platform without a zlib-ng wheel). The deflated bytes differ between the
two; each is deterministic.
"""

from __future__ import annotations

try:
    from zlib_ng import zlib_ng as zlib
except ImportError:  # pragma: no cover - exercised by a test in a subprocess without zlib-ng
    import zlib  # type: ignore[no-redef]

__all__ = ["zlib"]
