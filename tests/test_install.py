"""The project installs like a Python tool people know: the built wheel, installed into a fresh virtual
environment with its dependencies, gives the `dangjian-xlsx` command, which works from any folder (its data
files are in the wheel), and building it prints no warning caused by the project's own metadata."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = "Scripts" if os.name == "nt" else "bin"
EXE = ".exe" if os.name == "nt" else ""

# What setuptools and pip say about a project's own metadata (license table, classifiers, missing files…);
# the machine's pip configuration may add its own WARNING lines, which are not the project's.
_METADATA_WARNING = re.compile(
    r"(SetuptoolsDeprecationWarning|BuildBackendWarning|SetuptoolsWarning|is deprecated|"
    r"project\.license|license-files|No files were found|DEPRECATION:)",
    re.IGNORECASE,
)


def _run(args: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(the fresh environment's folder, the wheel build's output) — the wheel built from this checkout and
    installed with its dependencies, as `pip install dist/*.whl` does on a clerk's machine."""
    tmp = tmp_path_factory.mktemp("install")
    dist = tmp / "dist"
    build = _run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-w", str(dist)], cwd=tmp, timeout=300
    )
    assert build.returncode == 0, build.stdout + build.stderr
    wheels = list(dist.glob("dangjian_xlsx-*.whl"))
    assert len(wheels) == 1, wheels
    env_dir = tmp / "fresh"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    pip = _run([str(env_dir / BIN / f"python{EXE}"), "-m", "pip", "install", "-q", str(wheels[0])], cwd=tmp)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return env_dir, build.stdout + build.stderr


def test_building_the_wheel_warns_about_nothing_of_ours(installed: tuple[Path, str]) -> None:
    _, output = installed
    ours = [line for line in output.splitlines() if _METADATA_WARNING.search(line)]
    assert not ours, "\n".join(ours)


def test_the_console_script_runs_from_any_folder(installed: tuple[Path, str], tmp_path: Path) -> None:
    env_dir, _ = installed
    exe = env_dir / BIN / f"dangjian-xlsx{EXE}"
    assert exe.exists()
    helped = _run([str(exe), "--help"], cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    assert "生成加锁的评分表" in helped.stdout
    for command in ("collect", "generate", "init", "inspect"):
        assert command in helped.stdout
    module = _run([str(env_dir / BIN / f"python{EXE}"), "-m", "dangjian_xlsx", "--version"], cwd=tmp_path)
    assert module.returncode == 0 and "0." in module.stdout, module.stderr
    where = _run(
        [str(env_dir / BIN / f"python{EXE}"), "-c", "import dangjian_xlsx; print(dangjian_xlsx.__file__)"],
        cwd=tmp_path,
    )
    assert Path(where.stdout.strip()).is_relative_to(env_dir), where.stdout  # the wheel, not this checkout


def test_the_installed_tool_sets_up_and_generates_a_round(
    installed: tuple[Path, str], tmp_path: Path
) -> None:
    """The data files the commands need (the forms, the sample roster) travel in the wheel."""
    env_dir, _ = installed
    exe = str(env_dir / BIN / f"dangjian-xlsx{EXE}")
    init = _run([exe, "init"], cwd=tmp_path)
    assert init.returncode == 0, init.stdout + init.stderr
    assert (tmp_path / "campaign.toml").is_file() and (tmp_path / "表格内容.xlsx").is_file()
    gen = _run([exe, "generate", "--out", "表格 2026"], cwd=tmp_path)
    assert gen.returncode == 0, gen.stdout + gen.stderr
    written = sorted(p.name for p in (tmp_path / "表格 2026").glob("*.xlsx"))
    assert len(written) >= 2 and all(n.endswith(".xlsx") for n in written), written
    assert "Traceback" not in gen.stdout + gen.stderr
