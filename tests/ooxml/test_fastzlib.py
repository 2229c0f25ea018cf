"""fastzlib: zlib-ng's module where it is installed, the standard zlib otherwise — reading and writing work
either way."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dangjian_xlsx.ooxml.fastzlib import zlib

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(importlib.util.find_spec("zlib_ng") is None, reason="zlib-ng has no wheel here")
def test_zlib_ng_is_used_where_installed() -> None:
    assert zlib.__name__ == "zlib_ng.zlib_ng"


def test_without_zlib_ng_the_standard_zlib_reads_and_writes() -> None:
    """In a fresh interpreter where zlib-ng cannot be imported: a generated form is read (safety pass,
    repack) and a spliced zip is written (deflated and stored members) with the standard zlib."""
    code = textwrap.dedent(
        """
        import io, sys, zipfile
        sys.modules["zlib_ng"] = None  # any import of it fails
        import zlib as std
        from dangjian_xlsx.ooxml.fastzlib import zlib
        assert zlib is std, zlib
        from dangjian_xlsx.read import workbook as read
        from dangjian_xlsx.catalog import default_campaign
        from dangjian_xlsx.forms import build_form
        from dangjian_xlsx.layout import META_SHEET
        from dangjian_xlsx.models import FormKind
        from dangjian_xlsx.ooxml.zipwrite import ZipWriter

        camp = default_campaign()
        data = build_form(camp, FormKind.SCORING, camp.roster[0])
        raw = read.read_workbook(data, "f.xlsx", head_rows={META_SHEET: 6})
        assert [s.name for s in raw.sheets] == ["评分表", "填表说明", META_SHEET]
        assert camp.roster[0].name in str(raw.sheets[0].rows[2])

        pieces = [b"<row>%d</row>" % k * 2000 for k in range(5)]
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        with ZipWriter() as out:
            out.deflate(infos[0], pieces)
            out.store(infos[1], b"stored", std.crc32(b"stored"))
            made = out.getvalue()
        z = zipfile.ZipFile(io.BytesIO(made))
        assert z.testzip() is None and z.read(infos[0].filename) == b"".join(pieces)
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


@pytest.mark.parametrize("zlib_ng", ["blocked", "as installed"])
def test_blank_forms_reproduce_byte_for_byte_with_and_without_zlib_ng(zlib_ng: str) -> None:
    """The committed blank forms are what the generator makes, whichever zlib the platform has: the writer
    deflates with the standard zlib only (zlib-ng deflates to other bytes)."""
    block = 'sys.modules["zlib_ng"] = None' if zlib_ng == "blocked" else ""
    code = textwrap.dedent(
        f"""
        import sys
        {block}
        from pathlib import Path
        from dangjian_xlsx.catalog import default_campaign
        from dangjian_xlsx.forms import BRANCH_FORMS, build_form, form_filename
        root = Path({str(ROOT)!r})
        camp = default_campaign()
        for kind in BRANCH_FORMS:
            made = build_form(camp, kind, None)
            assert made == (root / "blank_forms" / form_filename(kind)).read_bytes(), kind
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
