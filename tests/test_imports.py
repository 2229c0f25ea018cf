"""The package's shape: data flows one way through the stage folders, each stage shows a small face."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGES = sorted(p.parent.name for p in (ROOT / "dangjian_xlsx").glob("*/__init__.py"))


def test_the_import_graph_has_no_circle_and_nothing_against_the_flow() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "import_graph.py")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "circles: 0" in done.stdout and "against the flow: 0" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 0


def test_every_stage_folder_is_in_the_flow() -> None:
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
    graph = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(graph)
    assert set(STAGES) <= set(graph.FLOW), "a stage folder the import-graph check does not place in the flow"


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_face_names_only_public_names_that_exist(stage: str) -> None:
    face = importlib.import_module(f"dangjian_xlsx.{stage}")
    names = getattr(face, "__all__", None)
    assert names, f"dangjian_xlsx/{stage}/__init__.py has no __all__"
    assert not [n for n in names if n.startswith("_")], f"{stage} exports private names"
    assert [n for n in names if not hasattr(face, n)] == []


def _imports(path: Path) -> list[tuple[str, str]]:
    """(absolute module, imported name) of every `from … import …` in a package module."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    package = package.removesuffix(".__init__")
    out = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            out += [(base, alias.name) for alias in node.names]
    return out


@pytest.mark.parametrize("stage", STAGES)
def test_other_stages_take_only_public_names_from_a_stage(stage: str) -> None:
    """No module outside a stage imports an underscore name from it (its face or its modules), nor reaches
    past its face into its modules."""
    private, past_face = [], []
    for path in sorted((ROOT / "dangjian_xlsx").rglob("*.py")):
        if path.relative_to(ROOT / "dangjian_xlsx").parts[0] == stage:
            continue
        for base, name in _imports(path):
            if base == f"dangjian_xlsx.{stage}" or base.startswith(f"dangjian_xlsx.{stage}."):
                if name.startswith("_"):
                    private.append(f"{path.name}: {base}.{name}")
                if base != f"dangjian_xlsx.{stage}":
                    past_face.append(f"{path.name}: {base}")
    assert not private
    assert not past_face, "import from the stage's face instead"
