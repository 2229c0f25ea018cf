"""The docs keep up with the code (sqlite-utils' habit): every module of the package is described in
docs/ARCHITECTURE.md, every command and each of its options in the README's command table."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from dangjian_xlsx.cli import cli

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dangjian_xlsx"


def _modules() -> list[str]:
    """Every module as its path in the package, e.g. `read/scan.py` (a stage's face as `read/__init__.py`)."""
    return sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py"))


def _architecture_rows() -> set[str]:
    """The module names in the first column of ARCHITECTURE.md's module tables."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text("utf-8")
    return set(re.findall(r"^\| `([^`]+\.py)`", text, flags=re.M))


@pytest.mark.parametrize("module", _modules())
def test_every_module_is_described_in_the_architecture(module: str) -> None:
    assert module in _architecture_rows(), f"docs/ARCHITECTURE.md has no row for `{module}`"


def test_the_architecture_describes_no_module_that_is_gone() -> None:
    gone = _architecture_rows() - set(_modules())
    assert not gone, f"docs/ARCHITECTURE.md describes modules that do not exist: {sorted(gone)}"


def _command_rows() -> dict[str, str]:
    """README's command table: command name → its row."""
    text = (ROOT / "README.md").read_text("utf-8")
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| `dangjian-xlsx (\w+)[^\n]*$", text, flags=re.M)}


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_and_option_is_in_the_readme(name: str) -> None:
    rows = _command_rows()
    assert name in rows, f"README's command table has no row for `dangjian-xlsx {name}`"
    command = cli.commands[name]
    options = [o for p in command.params if isinstance(p, click.Option) for o in p.opts if o.startswith("--")]
    missing = [o for o in options if not re.search(rf"{re.escape(o)}(?![\w-])", rows[name])]
    assert not missing, f"README's row for `{name}` does not mention {missing}"


def test_the_readme_lists_no_command_that_is_gone() -> None:
    assert set(_command_rows()) <= set(cli.commands)
