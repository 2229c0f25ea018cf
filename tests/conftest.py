"""Shared fixtures. Keep this file small: each test module owns its own helpers."""

from __future__ import annotations

import os
import shutil
import sys
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


def office_available() -> bool:
    return shutil.which("soffice") is not None


def require_office() -> None:
    """Skip (locally) or fail (CI sets DJ_REQUIRE_OFFICE=1) when LibreOffice is absent."""
    if office_available():
        return
    msg = "LibreOffice (soffice) is not installed: run `make office` to install it from Debian's packages"
    if os.environ.get("DJ_REQUIRE_OFFICE") == "1":
        pytest.fail(msg)
    pytest.skip(msg)
