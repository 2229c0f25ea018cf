"""The real-return templates: the two forms filled and saved by LibreOffice, a few ways each.

One LibreOffice run (the test suite's UNO driver, tests/office/uno_driver.py, under Debian's python3-uno)
opens the forms generated for a template branch, types values into them as a person does and saves each as
.xlsx. They are cached in bench/out/templates/, keyed by the forms' bytes (so the layout, the digest and the
package version) and TEMPLATE_VERSION: a change to the forms rebuilds them. returns.py varies them at scale.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.round import status_mix

REPO = Path(__file__).resolve().parent.parent
DRIVER = REPO / "tests" / "office" / "uno_driver.py"
UNO_PYTHON = "/usr/bin/python3"
TEMPLATE_VERSION = 1
PATTERNS = 4  # templates per form: which items lose points, which tasks are open
TEMPLATE_SEQ = 7777  # the template branch: a number and a name no bench roster uses
TEMPLATE_NAME = "样板学院模板党总支"
TYPED_DATE = "2018-09-28"


def template_campaign() -> Any:
    from dangjian_xlsx.catalog import default_campaign
    from dangjian_xlsx.models import Branch

    return default_campaign((Branch(seq=TEMPLATE_SEQ, name=TEMPLATE_NAME),))


def deducted(i: int, pattern: int) -> bool:
    """Whether item i loses points in template `pattern` (a third of the items, a quarter, a fifth …)."""
    return (i + pattern) % (3 + pattern) == 0


def typed_values(campaign: Any, kind: Any, pattern: int) -> list[tuple[str, str]]:
    """(cell, what a person types) for one template: the fill date, then every item or task."""
    from dangjian_xlsx.layout import C_DONE, C_ISSUES, C_NOTE, C_SCORE, C_STATUS, Field, a1, form_layout
    from dangjian_xlsx.models import FormKind

    cat = campaign.catalog
    lay = form_layout(cat, kind)
    typed = [(lay.input(Field.DATE).a1, TYPED_DATE)]
    if kind is FormKind.SCORING:
        for i, item in enumerate(cat.items):
            row = lay.item_rows[item.id]
            if deducted(i, pattern) and item.points > 0:
                typed.append((a1(row, C_SCORE), _num(max(item.points - 0.5, 0))))
                typed.append((a1(row, C_NOTE), f"模板扣分说明{pattern}-{i}"))
            else:
                typed.append((a1(row, C_SCORE), _num(item.points)))
        return typed
    mix = status_mix(cat)
    for i, task in enumerate(cat.tasks):
        row = lay.item_rows[task.id]
        status = mix[(3 * i + 7 * pattern) % len(mix)]
        typed.append((a1(row, C_STATUS), status))
        if status != cat.na_status:
            typed.append((a1(row, C_DONE), f"模板完成情况{pattern}-{i}"))
        if status != cat.done_status:
            typed.append((a1(row, C_ISSUES), f"模板整改措施{pattern}-{i}"))
    return typed


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


# ---------------------------------------------------------------- LibreOffice


def office_missing() -> str:
    """Why the bench cannot drive LibreOffice here ('' when it can)."""
    if shutil.which("soffice") is None:
        return "LibreOffice (soffice) is not installed: run `make office`"
    done = subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True, timeout=60)
    if done.returncode != 0:
        return f"{UNO_PYTHON} cannot `import uno` (python3-uno): run `make office`"
    return ""


def run_driver(documents: Sequence[dict[str, Any]], timeout: float) -> dict[str, Any]:
    """One LibreOffice run of the UNO driver over `documents` (its job format); raises when any failed."""
    with tempfile.TemporaryDirectory(prefix="bench_uno_") as tmp:
        job_path, result_path = Path(tmp, "job.json"), Path(tmp, "result.json")
        job = {
            "result": str(result_path),
            "timeout": timeout,
            "locale": "zh-CN",
            "documents": list(documents),
        }
        job_path.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
        done = subprocess.run(
            [UNO_PYTHON, str(DRIVER), str(job_path)], capture_output=True, text=True, timeout=timeout + 60
        )
        raw = json.loads(result_path.read_text("utf-8")) if result_path.is_file() else {}
    if done.returncode != 0 or not raw.get("ok"):
        failed = [f"{d['input']}: {d['error']}" for d in raw.get("documents", []) if not d.get("ok")]
        raise RuntimeError(
            f"LibreOffice (uno_driver.py) failed, exit {done.returncode}: {raw.get('error')}\n"
            + "\n".join(failed[:5])
            + done.stderr[-2000:]
        )
    return raw


def template_name(kind: Any, pattern: int) -> str:
    return f"{kind.value}-p{pattern}.xlsx"


def _stamp() -> dict[str, Any]:
    from dangjian_xlsx import __version__
    from dangjian_xlsx.forms import BRANCH_FORMS, build_form

    campaign = template_campaign()
    forms = hashlib.sha256(b"".join(build_form(campaign, k, campaign.roster[0]) for k in BRANCH_FORMS))
    return {"template_version": TEMPLATE_VERSION, "package": __version__, "forms": forms.hexdigest()[:16]}


def build_templates(out: Path, log: Any = print) -> Path:
    """The templates, filled and saved by LibreOffice once and cached in out/templates/."""
    from dangjian_xlsx.forms import BRANCH_FORMS, build_form

    folder, stamp_file = out / "templates", out / "templates.json"
    stamp = _stamp()
    if folder.is_dir() and stamp_file.is_file() and json.loads(stamp_file.read_text())["stamp"] == stamp:
        return folder
    reason = office_missing()
    if reason:
        raise SystemExit(f"the real-return inbox needs LibreOffice: {reason}")
    log(f"准备 filling {PATTERNS * len(BRANCH_FORMS)} templates in LibreOffice ({folder}, cached) …")
    t0 = time.perf_counter()
    campaign = template_campaign()
    tmp = out / "templates.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    documents = []
    for kind in BRANCH_FORMS:
        blank = tmp / f"{kind.value}-blank.xlsx"
        blank.write_bytes(build_form(campaign, kind, campaign.roster[0]))
        sheet = _sheet(campaign, kind)
        for p in range(PATTERNS):
            edits = [{"sheet": sheet, "cell": c, "value": v} for c, v in typed_values(campaign, kind, p)]
            target = tmp / template_name(kind, p)
            documents.append(
                {"input": str(blank), "edits": edits, "outputs": [{"path": str(target), "format": "xlsx"}]}
            )
    result = run_driver(documents, timeout=300)
    refused = [e for d in result["documents"] for e in d["edits"] if e["status"] != "applied"]
    if refused:
        raise RuntimeError(f"LibreOffice refused typing into a template: {refused[:3]}")
    for blank in tmp.glob("*-blank.xlsx"):
        blank.unlink()
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    stamp_file.write_text(json.dumps({"stamp": stamp, "libreoffice": result.get("version", "")}))
    log(f"  done in {time.perf_counter() - t0:.1f} s ({result.get('version', 'LibreOffice')})")
    return folder


def libreoffice_version(out: Path) -> str:
    stamp_file = out / "templates.json"
    return json.loads(stamp_file.read_text()).get("libreoffice", "") if stamp_file.is_file() else ""


def _sheet(campaign: Any, kind: Any) -> str:
    from dangjian_xlsx.layout import form_layout

    return form_layout(campaign.catalog, kind).sheet


def marks(branch: Any) -> tuple[dict[str, str], dict[str, str]]:
    """What names a branch in a filled form, to rename: its name and "（编号 NN）" wherever they occur, and
    its number where a text run holds it alone (LibreOffice puts the digits of a Chinese text in a run)."""
    return {"name": branch.name, "ref": f"（编号 {branch.id}）"}, {"id": branch.id}


def renames(branch: Any) -> dict[str, str]:
    return {"name": branch.name, "ref": f"（编号 {branch.id}）", "id": branch.id}


def load_templates(folder: Path) -> dict[tuple[str, Any, int], Any]:
    """(program, form kind, pattern) → the parsed template, its branch's name and number marked for renaming;
    program "lo" is the template as LibreOffice saved it, "openpyxl" the same loaded and saved by openpyxl."""
    from bench.prefilled import resave
    from bench.xlsxvary import Template
    from dangjian_xlsx.forms import BRANCH_FORMS

    campaign = template_campaign()
    branch = campaign.roster[0]
    out = {}
    for kind in BRANCH_FORMS:
        sheet = _sheet(campaign, kind)
        for p in range(PATTERNS):
            data = (folder / template_name(kind, p)).read_bytes()
            for program, package in (("lo", data), ("openpyxl", resave(data))):
                out[(program, kind, p)] = Template(package, sheet, *marks(branch))
    return out
