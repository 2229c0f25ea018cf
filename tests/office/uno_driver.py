#!/usr/bin/python3
"""Drive a real LibreOffice Calc through UNO the way a person would, for the office round-trip tests.

Runs ONLY under Debian's /usr/bin/python3 (the one python3-uno is built for); it imports nothing from
the project. Usage:

    /usr/bin/python3 tests/office/uno_driver.py JOB.json

The job (JSON):

    {
      "result": "/abs/result.json",          # where to write the result (default: stdout)
      "timeout": 120,                        # seconds for the whole run; soffice is killed after
      "locale": "zh-CN",                     # the user's LibreOffice locale (input recognition)
      "documents": [
        {
          "input": "/abs/form.xlsx",
          "edits": [
            {"sheet": "评分表", "cell": "E5", "value": 1.5, "mode": "type"},
            {"sheet": "评分表", "cell": "D5", "value": 3, "mode": "unprotect", "password": "…"}
          ],
          "outputs": [{"path": "/abs/out.xlsx", "format": "xlsx"}, {"path": "/abs/out.ods", "format": "ods"}]
                                             # formats: xlsx, xls, ods, pdf (printed as it stands)
        }
      ]
    }

Edit modes (what a person can do):

- ``type``: type the value into the cell. Refused (cell unchanged) when the cell is locked on a
  protected sheet, or when the value violates the cell's validity rule with a stop alert, as Calc's
  UI would. The text is recognised the way Calc recognises typed input in the job's locale
  ("1.5" is a number, "2018-09-28" a date value with a date format, "'12" the text 12, "=…" a formula).
- ``paste``: put the value in through the API, bypassing validation (like pasting); numbers become
  numbers, strings text, null clears. Still refused on a locked cell of a protected sheet.
- ``unprotect``: the person knows the password: unprotect the sheet, set the value as ``paste`` does,
  protect the sheet again with the same password (unless ``"reprotect": false``).

The result (JSON): {"ok", "version", "seconds", "error", "documents": [{"input", "ok", "error", "timings",
"edits": [{..., "status": "applied" | "refused", "reason", "message", "before": {...}, "after": {...}}],
"outputs": [...]}]}; refusal reasons: locked, validation, validation-unsupported, wrong-password,
no-such-sheet, no-such-cell, bad-mode.
Exit status: 0 when every document was loaded and saved, 1 otherwise, 2 for a bad job, 3 on timeout.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import uno
from com.sun.star.beans import PropertyValue

FILTERS = {
    "xlsx": "Calc MS Excel 2007 XML",
    "xls": "MS Excel 97",
    "ods": "calc8",
    "pdf": "calc_pdf_Export",  # printed as it is now: what a clerk's print to PDF shows
}
# com.sun.star.sheet.CellFlags: VALUE | DATETIME | STRING | FORMULA
CLEAR_CONTENT = 1 | 2 | 4 | 16
# com.sun.star.util.NumberFormat type bits
NF_DEFINED = 1
NF_DATE = 2
NF_TIME = 4
NF_NUMBER = 16
NF_TEXT = 256

CONNECT_TIMEOUT = 60.0


class JobError(Exception):
    """The job file is unusable."""


class Refused(Exception):
    """The edit cannot be done the way the person tries to do it."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _prop(name: str, value: Any) -> PropertyValue:
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def _url(path: str) -> str:
    return uno.systemPathToFileUrl(str(Path(path).resolve()))


# ---------------------------------------------------------------- soffice process


class Office:
    """One private soffice process (own profile, own pipe) and a UNO connection to it."""

    def __init__(self, locale: str) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="lo_dj_"))
        self.pipe = f"dj_{os.getpid()}_{uuid.uuid4().hex[:12]}"
        self.log = self.tmp / "soffice.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.desktop: Any = None
        self.ctx: Any = None
        self.locale = locale
        self.version = ""

    def _write_profile(self) -> None:
        user = self.tmp / "profile" / "user"
        user.mkdir(parents=True)
        items = []
        if self.locale:
            for name in ("ooSetupSystemLocale", "ooLocale"):
                items.append(
                    '<item oor:path="/org.openoffice.Setup/L10N">'
                    f'<prop oor:name="{name}" oor:op="fuse"><value>{self.locale}</value></prop></item>'
                )
        (user / "registrymodifications.xcu").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            + "\n".join(items)
            + "\n</oor:items>\n",
            encoding="utf-8",
        )

    def start(self) -> None:
        self._write_profile()
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if not soffice:
            raise RuntimeError("soffice not found on PATH")
        profile_url = uno.systemPathToFileUrl(str(self.tmp / "profile"))
        cmd = [
            soffice,
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={profile_url}",
            f"--accept=pipe,name={self.pipe};urp;",
        ]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + CONNECT_TIMEOUT
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"soffice exited with status {self.proc.returncode}: {self.log_tail()}")
            try:
                self.ctx = resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
                break
            except Exception as exc:  # NoConnectException until soffice listens
                last = exc
                time.sleep(0.1)
        else:
            raise RuntimeError(f"could not connect to soffice within {CONNECT_TIMEOUT:.0f}s: {last}")
        smgr = self.ctx.ServiceManager
        self.desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)
        self.version = self._product_version()

    def _product_version(self) -> str:
        try:
            provider = self.ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.configuration.ConfigurationProvider", self.ctx
            )
            access = provider.createInstanceWithArguments(
                "com.sun.star.configuration.ConfigurationAccess",
                (_prop("nodepath", "/org.openoffice.Setup/Product"),),
            )
            return f"{access.ooName} {access.ooSetupVersionAboutBox}"
        except Exception:
            return ""

    def log_tail(self, limit: int = 2000) -> str:
        try:
            return self.log.read_text("utf-8", "replace")[-limit:]
        except OSError:
            return ""

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Terminate soffice politely, then by force; remove the private profile."""
        if self.desktop is not None:
            with contextlib.suppress(Exception):  # the bridge dies with the process: DisposedException
                self.desktop.terminate()
            self.desktop = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------- a person at the keyboard


def _typed_text(value: Any) -> str:
    """What the person types for a JSON value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell_state(cell: Any) -> dict[str, Any]:
    kind = cell.Type.value  # EMPTY | VALUE | TEXT | FORMULA
    state: dict[str, Any] = {"type": kind, "string": cell.getString()}
    if kind in ("VALUE", "FORMULA"):
        state["value"] = cell.getValue()
    if kind == "FORMULA":
        state["formula"] = cell.getFormula()
    return state


class Document:
    """One loaded spreadsheet and the person's actions on it."""

    def __init__(self, office: Office, path: str) -> None:
        self.office = office
        # Open a private copy: the input stays untouched and LibreOffice's lock file (.~lock.NAME#)
        # lands in our temp dir, so two runs can open the same input at once.
        work = office.tmp / "work" / uuid.uuid4().hex[:8]
        work.mkdir(parents=True)
        local = work / Path(path).name
        shutil.copyfile(path, local)
        self.model = office.desktop.loadComponentFromURL(
            _url(str(local)), "_blank", 0, (_prop("Hidden", True), _prop("ReadOnly", False))
        )
        if self.model is None or not hasattr(self.model, "Sheets"):
            raise RuntimeError(f"LibreOffice could not open {path} as a spreadsheet")
        smgr = office.ctx.ServiceManager
        self.formatter = smgr.createInstanceWithContext("com.sun.star.util.NumberFormatter", office.ctx)
        self.formatter.attachNumberFormatsSupplier(self.model)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.model.close(True)

    def cell(self, sheet_name: str, a1: str) -> tuple[Any, Any]:
        sheets = self.model.Sheets
        if not sheets.hasByName(sheet_name):
            raise Refused("no-such-sheet", f"the workbook has no sheet {sheet_name!r}")
        sheet = sheets.getByName(sheet_name)
        try:
            return sheet, sheet.getCellRangeByName(a1)
        except Exception as exc:
            raise Refused("no-such-cell", f"{a1!r} is not a cell reference") from exc

    @staticmethod
    def check_unlocked(sheet: Any, cell: Any) -> None:
        if sheet.isProtected() and cell.CellProtection.IsLocked:
            raise Refused(
                "locked",
                "the cell is protected: Calc says 'Protected cells can not be modified' and keeps the old content",
            )

    # -- input recognition

    def _format_type(self, key: int) -> int:
        try:
            return int(self.model.NumberFormats.getByKey(key).Type)
        except Exception:
            return 0

    def recognise(self, cell: Any, text: str) -> tuple[str, Any, int]:
        """('empty'|'number'|'text'|'formula', value, detected format key) as Calc reads typed text."""
        if text == "":
            return "empty", None, 0
        if text.startswith("="):
            return "formula", text, 0
        if text.startswith("'"):
            return "text", text[1:], 0
        if self._format_type(cell.NumberFormat) & NF_TEXT:
            return "text", text, 0
        try:
            number = float(self.formatter.convertStringToNumber(0, text))
        except Exception:  # NotNumericException: it stays text
            return "text", text, 0
        try:
            key = int(self.formatter.detectNumberFormat(0, text))
        except Exception:
            key = 0
        return "number", number, key

    # -- validity (Calc's ScValidationData::IsDataValid, for the rule kinds forms use)

    def _operand(self, formula: str) -> Any:
        f = formula.strip()
        if f.startswith("="):
            f = f[1:]
        if len(f) >= 2 and f[0] == f[-1] == '"':
            return f[1:-1].replace('""', '"')
        try:
            return float(f)
        except ValueError:
            pass
        m = re.fullmatch(r"DATE\((\d+)[;,](\d+)[;,](\d+)\)", f, re.IGNORECASE)
        if m:
            return self._date_serial(int(m[1]), int(m[2]), int(m[3]))
        values = self._reference_values(f)
        if values is not None and len(values) == 1:
            return values[0]
        raise Refused("validation-unsupported", f"cannot evaluate the validation formula {formula!r}")

    def _date_serial(self, y: int, m: int, d: int) -> float:
        null = self.model.NullDate
        return float((dt.date(y, m, d) - dt.date(null.Year, null.Month, null.Day)).days)

    def _reference_values(self, ref: str) -> list[Any] | None:
        m = re.fullmatch(r"\$?(?:'((?:[^']|'')+)'|([^.'$]+))\.(\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)", ref)
        if not m:
            return None
        sheet_name = (m[1] or "").replace("''", "'") or m[2]
        sheets = self.model.Sheets
        if not sheets.hasByName(sheet_name):
            return None
        rng = sheets.getByName(sheet_name).getCellRangeByName(m[3].replace("$", ""))
        return [v for row in rng.getDataArray() for v in row if v != ""]

    def _list_entries(self, formula: str) -> list[Any]:
        f = formula.strip()
        if f.startswith('"'):
            return [s.replace('""', '"') for s in re.findall(r'"((?:[^"]|"")*)"', f)]
        values = self._reference_values(f)
        if values is None:
            raise Refused("validation-unsupported", f"cannot read the validation list {formula!r}")
        return values

    def check_valid(self, cell: Any, kind: str, value: Any) -> None:
        v = cell.Validation
        vtype = v.Type.value
        if vtype == "ANY" or kind == "formula":
            return
        if kind == "empty":
            return  # deleting a cell's content is never checked by Calc
        if not v.ShowErrorMessage:
            return  # no alert: Calc accepts the value as it is
        if v.ErrorAlertStyle.value != "STOP":
            return  # warning/information alerts let the person confirm the value
        if not self._is_valid(v, vtype, kind, value):
            shown = _typed_text(value)
            detail = (
                v.ErrorMessage or f"{vtype} {v.getOperator().value} {v.getFormula1()!r} {v.getFormula2()!r}"
            )
            raise Refused("validation", f"rejected by validation: {shown!r} ({detail})")

    def _is_valid(self, v: Any, vtype: str, kind: str, value: Any) -> bool:
        if vtype == "LIST":
            entries = self._list_entries(v.getFormula1())
            for e in entries:
                if isinstance(e, float) and kind == "number" and math.isclose(e, value):
                    return True
                if isinstance(e, str) and kind == "text" and e.casefold() == str(value).casefold():
                    return True
            return False
        if vtype == "CUSTOM":
            raise Refused("validation-unsupported", "custom-formula validation is not simulated")
        if vtype == "TEXT_LEN":
            subject = float(len(str(value) if kind == "text" else _typed_text(value)))
        else:  # WHOLE, DECIMAL, DATE, TIME
            if kind != "number":
                return False
            if vtype == "WHOLE" and not float(value).is_integer():
                return False
            subject = float(value)
        op = v.getOperator().value
        if op == "NONE":
            return True
        a = self._operand(v.getFormula1())
        b = self._operand(v.getFormula2()) if op in ("BETWEEN", "NOT_BETWEEN") else None
        if not isinstance(a, float) or (b is not None and not isinstance(b, float)):
            raise Refused("validation-unsupported", "non-numeric validation bounds")
        checks = {
            "EQUAL": lambda: subject == a,
            "NOT_EQUAL": lambda: subject != a,
            "GREATER": lambda: subject > a,
            "GREATER_EQUAL": lambda: subject >= a,
            "LESS": lambda: subject < a,
            "LESS_EQUAL": lambda: subject <= a,
            "BETWEEN": lambda: min(a, b) <= subject <= max(a, b),
            "NOT_BETWEEN": lambda: not (min(a, b) <= subject <= max(a, b)),
        }
        if op not in checks:
            raise Refused("validation-unsupported", f"validation operator {op} is not simulated")
        return bool(checks[op]())

    # -- the actions

    def type_into(self, sheet: Any, cell: Any, value: Any) -> None:
        self.check_unlocked(sheet, cell)
        kind, parsed, key = self.recognise(cell, _typed_text(value))
        self.check_valid(cell, kind, parsed)
        if kind == "empty":
            cell.clearContents(CLEAR_CONTENT)
        elif kind == "formula":
            cell.setFormula(parsed)
        elif kind == "text":
            cell.setString(parsed)
        else:
            cell.setValue(parsed)
            # Calc gives a cell the recognised format ("2018-09-28" → a date format) when the typed
            # value is of another category than the cell's current format.
            detected = self._format_type(key) & ~NF_DEFINED
            current = self._format_type(cell.NumberFormat) & ~NF_DEFINED
            if key and detected != current and not (detected == NF_NUMBER and current == 0):
                cell.NumberFormat = key

    @staticmethod
    def put(cell: Any, value: Any) -> None:
        if value is None or value == "":
            cell.clearContents(CLEAR_CONTENT)
        elif isinstance(value, bool):
            cell.setValue(1.0 if value else 0.0)
        elif isinstance(value, int | float):
            cell.setValue(float(value))
        else:
            cell.setString(str(value))

    def paste(self, sheet: Any, cell: Any, value: Any) -> None:
        self.check_unlocked(sheet, cell)
        self.put(cell, value)

    def unprotect_and_set(self, sheet: Any, cell: Any, value: Any, password: str, reprotect: bool) -> None:
        was_protected = sheet.isProtected()
        if was_protected:
            try:
                sheet.unprotect(password)
            except Exception as exc:  # IllegalArgumentException: wrong password
                raise Refused("wrong-password", "the sheet password is wrong") from exc
            if sheet.isProtected():
                raise Refused("wrong-password", "the sheet is still protected")
        self.put(cell, value)
        if was_protected and reprotect:
            sheet.protect(password)

    def apply(self, edit: dict[str, Any]) -> dict[str, Any]:
        out = {"mode": "type", **edit}
        try:
            sheet, cell = self.cell(str(edit["sheet"]), str(edit["cell"]))
            out["before"] = _cell_state(cell)
            mode = out["mode"]
            value = edit.get("value")
            if mode == "type":
                self.type_into(sheet, cell, value)
            elif mode == "paste":
                self.paste(sheet, cell, value)
            elif mode == "unprotect":
                self.unprotect_and_set(
                    sheet, cell, value, str(edit.get("password", "")), bool(edit.get("reprotect", True))
                )
            else:
                raise Refused("bad-mode", f"unknown edit mode {mode!r}")
            out["status"] = "applied"
        except Refused as r:
            out.update(status="refused", reason=r.reason, message=r.message)
        with contextlib.suppress(Exception):
            out["after"] = _cell_state(self.cell(str(edit["sheet"]), str(edit["cell"]))[1])
        return out

    def save(self, path: str, fmt: str) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.model.storeToURL(_url(path), (_prop("FilterName", FILTERS[fmt]), _prop("Overwrite", True)))


# ---------------------------------------------------------------- the job


def _check_job(job: Any) -> list[dict[str, Any]]:
    if not isinstance(job, dict) or not isinstance(job.get("documents"), list):
        raise JobError("the job must be an object with a 'documents' list")
    for d in job["documents"]:
        if not isinstance(d, dict) or not isinstance(d.get("input"), str):
            raise JobError("every document needs an 'input' path")
        for e in d.get("edits", []):
            if not isinstance(e, dict) or "sheet" not in e or "cell" not in e:
                raise JobError(f"bad edit {e!r}: needs sheet and cell")
        for o in d.get("outputs", []):
            if (
                not isinstance(o, dict)
                or o.get("format") not in FILTERS
                or not isinstance(o.get("path"), str)
            ):
                raise JobError(f"bad output {o!r}: needs path and a format of {sorted(FILTERS)}")
    return job["documents"]


def run_document(office: Office, spec: dict[str, Any]) -> dict[str, Any]:
    res: dict[str, Any] = {"input": spec["input"], "ok": False, "error": None, "edits": [], "outputs": []}
    doc = None
    timings = res["timings"] = {}
    try:
        t = time.monotonic()
        doc = Document(office, spec["input"])
        timings["load"] = round(time.monotonic() - t, 3)
        t = time.monotonic()
        res["edits"] = [doc.apply(e) for e in spec.get("edits", [])]
        timings["edits"] = round(time.monotonic() - t, 3)
        for o in spec.get("outputs", []):
            t = time.monotonic()
            doc.save(o["path"], o["format"])
            timings[f"save_{o['format']}"] = round(time.monotonic() - t, 3)
            res["outputs"].append(
                {"path": o["path"], "format": o["format"], "size": Path(o["path"]).stat().st_size}
            )
        res["ok"] = True
    except Exception as exc:
        res["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        if doc is not None:
            doc.close()
    return res


def run(job: dict[str, Any]) -> dict[str, Any]:
    documents = _check_job(job)
    started = time.monotonic()
    office = Office(str(job.get("locale", "zh-CN")))
    result: dict[str, Any] = {"ok": False, "version": "", "seconds": 0.0, "documents": [], "error": None}
    timeout = float(job.get("timeout", 120))

    def on_timeout() -> None:
        office.kill()
        result["error"] = f"timed out after {timeout:.0f}s"
        result["seconds"] = round(time.monotonic() - started, 2)
        _emit(job, result)
        shutil.rmtree(office.tmp, ignore_errors=True)
        os._exit(3)

    watchdog = threading.Timer(timeout, on_timeout)
    watchdog.daemon = True
    watchdog.start()
    try:
        office.start()
        result["version"] = office.version
        for spec in documents:
            result["documents"].append(run_document(office, spec))
        result["ok"] = all(d["ok"] for d in result["documents"])
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}\n{office.log_tail()}"
    finally:
        office.stop()
        watchdog.cancel()
    result["seconds"] = round(time.monotonic() - started, 2)
    return result


def _emit(job: dict[str, Any], result: dict[str, Any]) -> None:
    text = json.dumps(result, ensure_ascii=False, indent=1)
    target = job.get("result") if isinstance(job, dict) else None
    if target:
        tmp = Path(str(target) + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    else:
        sys.stdout.write(text + "\n")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: /usr/bin/python3 uno_driver.py JOB.json\n")
        return 2
    try:
        job = json.loads(Path(argv[1]).read_text("utf-8"))
        _check_job(job)
    except (OSError, ValueError, JobError) as exc:
        sys.stderr.write(f"bad job: {exc}\n")
        return 2
    result = run(job)
    _emit(job, result)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
