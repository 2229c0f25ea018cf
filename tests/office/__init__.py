"""Helpers for the real-office tests: run `uno_driver.py` under Debian's python and read its result.

The driver itself (uno_driver.py) runs outside the venv and imports nothing from here or the project.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DRIVER = Path(__file__).resolve().with_name("uno_driver.py")
UNO_PYTHON = "/usr/bin/python3"
FORMATS = ("xlsx", "xls", "ods")


@dataclass
class Edit:
    """One action of a person on one cell (see uno_driver.py for the modes)."""

    sheet: str
    cell: str
    value: Any
    mode: str = "type"
    password: str | None = None
    reprotect: bool = True

    def job(self) -> dict[str, Any]:
        d: dict[str, Any] = {"sheet": self.sheet, "cell": self.cell, "value": self.value, "mode": self.mode}
        if self.password is not None:
            d["password"] = self.password
            d["reprotect"] = self.reprotect
        return d


@dataclass
class Document:
    """A file to open in Calc, the edits to make, and the formats to save it as (`out_dir/<fmt>/<name>.<fmt>`)."""

    input: Path
    out_dir: Path
    name: str
    edits: list[Edit] = field(default_factory=list)
    formats: tuple[str, ...] = FORMATS

    def output(self, fmt: str) -> Path:
        return self.out_dir / fmt / f"{self.name}.{fmt}"

    def job(self) -> dict[str, Any]:
        return {
            "input": str(self.input),
            "edits": [e.job() for e in self.edits],
            "outputs": [{"path": str(self.output(f)), "format": f} for f in self.formats],
        }


@dataclass
class DriverResult:
    raw: dict[str, Any]

    @property
    def seconds(self) -> float:
        return float(self.raw.get("seconds", 0.0))

    @property
    def version(self) -> str:
        return str(self.raw.get("version", ""))

    def document(self, doc: Document) -> dict[str, Any]:
        for d in self.raw["documents"]:
            if d["input"] == str(doc.input):
                return d
        raise KeyError(doc.input)

    def edits(self, doc: Document) -> list[dict[str, Any]]:
        return self.document(doc)["edits"]

    def edit(self, doc: Document, sheet: str, cell: str, mode: str | None = None) -> list[dict[str, Any]]:
        return [
            e
            for e in self.edits(doc)
            if e["sheet"] == sheet and e["cell"] == cell and (mode is None or e["mode"] == mode)
        ]


def run_driver(
    documents: list[Document], workdir: Path, *, timeout: float = 240, locale: str = "zh-CN"
) -> DriverResult:
    """One soffice start for all documents; raises AssertionError with the driver's account on failure."""
    workdir.mkdir(parents=True, exist_ok=True)
    result_path = workdir / "uno_result.json"
    job = {
        "result": str(result_path),
        "timeout": timeout,
        "locale": locale,
        "documents": [d.job() for d in documents],
    }
    job_path = workdir / "uno_job.json"
    job_path.write_text(json.dumps(job, ensure_ascii=False, indent=1), encoding="utf-8")
    done = subprocess.run(
        [UNO_PYTHON, str(DRIVER), str(job_path)], capture_output=True, text=True, timeout=timeout + 60
    )
    if not result_path.is_file():
        raise AssertionError(
            f"uno_driver.py wrote no result (exit {done.returncode}):\n{done.stderr[-3000:]}\n{done.stdout[-2000:]}"
        )
    raw = json.loads(result_path.read_text("utf-8"))
    if done.returncode != 0 or not raw.get("ok"):
        failed = [f"{d['input']}: {d['error']}" for d in raw.get("documents", []) if not d.get("ok")]
        raise AssertionError(
            f"uno_driver.py failed (exit {done.returncode}): {raw.get('error')}\n"
            + "\n".join(failed)
            + f"\n{done.stderr[-2000:]}"
        )
    return DriverResult(raw)
