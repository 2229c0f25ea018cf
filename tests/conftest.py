"""Shared fixtures. Keep this file small: each test module owns its own helpers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dangjian_xlsx.catalog import default_campaign, load_catalog
from dangjian_xlsx.models import Campaign, Catalog

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def campaign() -> Campaign:
    return default_campaign()


@pytest.fixture(scope="module")
def camp(campaign: Campaign) -> Campaign:
    """The default campaign with one roster branch per case of tests/cases.py (a module needing another
    roster overrides this fixture)."""
    from cases import make_campaign

    return make_campaign(campaign)


@pytest.fixture(scope="module")
def files(camp: Campaign) -> dict[str, Path]:
    """Every case file of tests/cases.py by case name, built once per test process."""
    from cases import built_cases

    return built_cases(camp)


def office_available() -> bool:
    return shutil.which("soffice") is not None


# The office tests drive LibreOffice through UNO from Debian's python (python3-uno), not the venv's.
UNO_PYTHON = "/usr/bin/python3"


@lru_cache(maxsize=1)
def uno_available() -> bool:
    try:
        done = subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def require_office(uno: bool = False) -> None:
    """Skip (locally) or fail (CI sets DJ_REQUIRE_OFFICE=1) when LibreOffice (or, with `uno`, its UNO bridge
    for /usr/bin/python3, which tests/office/uno_driver.py needs) is absent."""
    if office_available() and (not uno or uno_available()):
        return
    if not office_available():
        msg = "LibreOffice (soffice) is not installed: run `make office` to install it from Debian's packages"
    else:
        msg = f"{UNO_PYTHON} cannot `import uno` (python3-uno): run `make office` to install it from Debian's packages"
    if os.environ.get("DJ_REQUIRE_OFFICE") == "1":
        pytest.fail(msg)
    pytest.skip(msg)


# ---------------------------------------------------------------- a CI-visible count of the LibreOffice tests

_outcomes: dict[str, dict[str, int]] = {"office": {}, "browser": {}}
_LABELS = {"office": "LibreOffice (office-marked) tests", "browser": "Chromium (browser-marked) tests"}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for mark, seen in _outcomes.items():
        if mark in report.keywords and (report.when == "call" or report.skipped):
            seen[report.outcome] = seen.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for mark, seen in _outcomes.items():
        if seen:
            counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(seen.items()))
            terminalreporter.write_line(f"{_LABELS[mark]}: {counts}")
