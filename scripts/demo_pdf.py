"""For `make demo-pdf`: print the demo's outputs as a clerk would, so that anyone can look at every page.

Converts the summary (汇总表.xlsx), one corrected copy from 退回修改/, one feedback workbook, one 督查评分表 and one
附件1 and one 附件2 from forms/ to PDF with LibreOffice (headless), then every page to PNG at 60 dpi
(`pdftoppm -r 60 -png`), all into DEMO/pdf/ (emptied first), and prints each file's page count.

Usage: python scripts/demo_pdf.py [DEMO]   (default: demo_out)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pypdf import PdfReader

TIMEOUT = 300  # seconds for LibreOffice to print all of them


def pick(folder: Path, pattern: str) -> Path | None:
    """The first file of `folder` (by name) matching `pattern`; None when there is none."""
    found = sorted(p for p in folder.glob(pattern) if p.is_file() and not p.name.startswith((".", "~$")))
    return found[0] if found else None


def sources(demo: Path) -> list[Path]:
    """What is printed: the summary, then one of each kind of workbook the demo wrote."""
    wanted = [
        (demo, "汇总表.xlsx"),
        (demo / "退回修改", "*.xlsx"),
        (demo / "反馈表", "*.xlsx"),
        (demo / "督查评分表", "*.xlsx"),
        (demo / "forms", "*附件1*.xlsx"),
        (demo / "forms", "*附件2*.xlsx"),
    ]
    out = []
    for folder, pattern in wanted:
        path = pick(folder, pattern)
        if path is None:
            sys.exit(f"{folder} 中没有 {pattern}：请先运行 make demo")
        out.append(path)
    return out


def to_pdf(files: list[Path], dest: Path) -> None:
    """One LibreOffice run (a private profile, so that an open office is not disturbed) for all files."""
    if shutil.which("soffice") is None or shutil.which("pdftoppm") is None:
        sys.exit("没有找到 LibreOffice（soffice）或 pdftoppm：请先运行 make office")
    with tempfile.TemporaryDirectory(prefix="demo_pdf_") as profile:
        cmd = [
            "soffice",
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
        ]
        subprocess.run(
            [*cmd, "--outdir", str(dest), *map(str, files)], check=True, capture_output=True, timeout=TIMEOUT
        )


def main() -> None:
    demo = Path(sys.argv[1] if len(sys.argv) > 1 else "demo_out")
    files = sources(demo)
    dest = demo / "pdf"
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    to_pdf(files, dest)
    total = 0
    for src in files:
        pdf = dest / f"{src.stem}.pdf"
        if not pdf.is_file():
            sys.exit(f"LibreOffice 没有写出 {pdf}")
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(dest / src.stem)], check=True)
        pages = len(PdfReader(pdf).pages)
        total += pages
        print(f"{pages:4d} 页  {src.relative_to(demo)} → {pdf.relative_to(demo)}")
    print(f"{total:4d} 页  合计；每页的 PNG（60 dpi）在 {dest}/")


if __name__ == "__main__":
    main()
