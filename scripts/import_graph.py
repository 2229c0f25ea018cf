"""Print the package's import graph: modules, levels, circles, imports against the flow.

Usage: python scripts/import_graph.py [--edges]

A name imported from a stage's face (`from ..read import read_workbook`) counts as an import of the submodule
that defines it. A module's level is 0 when it imports no module of the package, else one more than the highest level it
imports (over the graph's strongly connected components, so a circle still gets a level). An import
"against the flow" is one whose target sits in a stage folder that comes later in FLOW than the importer's.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "dangjian_xlsx"
# the stages in the order data flows through them; the top level (shared vocabulary) comes first, cli last
FLOW = (
    "",
    "ooxml",
    "catalog",
    "forms",
    "read",
    "validate",
    "collect",
    "aggregate",
    "summary",
    "round",
    "outputs",
    "web",
    "cli",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, package: str) -> str:
    base = node.module or ""
    if node.level:
        anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    return base


def face_names(path: Path, name: str, modules: set[str]) -> dict[str, str]:
    """What a stage's face re-exports: name -> the submodule that defines it."""
    out: dict[str, str] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = _absolute(node, name)
            if base in modules and base != name:
                out.update({alias.asname or alias.name: base for alias in node.names})
    return out


def imports_of(path: Path, name: str, modules: set[str], faces: dict[str, dict[str, str]]) -> set[str]:
    """The package modules `name` imports; a name taken from a stage's face counts as an import of the
    submodule that defines it (the face only names the stage's public API)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            face = faces.get(base, {}) if base != name else {}
            targets = [face.get(alias.name) or f"{base}.{alias.name}" for alias in node.names]
            if not any(t in modules for t in targets):
                targets = [base]
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    files = sorted((ROOT / PACKAGE).rglob("*.py"))
    modules = {module_name(f) for f in files}
    faces = {module_name(f): face_names(f, module_name(f), modules) for f in files if f.name == "__init__.py"}
    return {module_name(f): imports_of(f, module_name(f), modules, faces) for f in files}


def components(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        comp.append(top)
                        if top == node:
                            break
                    result.append(sorted(comp))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return result


def levels(edges: dict[str, set[str]], comps: list[list[str]]) -> dict[str, int]:
    comp_of = {m: i for i, comp in enumerate(comps) for m in comp}
    level: dict[int, int] = {}
    for i, comp in enumerate(comps):  # Tarjan yields components in reverse topological order
        below = [level[comp_of[t]] for m in comp for t in edges[m] if comp_of[t] != i]
        level[i] = 1 + max(below) if below else 0
    return {m: level[comp_of[m]] for m in edges}


def stage(module: str) -> str:
    parts = module.split(".")[1:]
    if not parts:
        return ""
    if parts == ["__main__"]:
        return "cli"  # `python -m dangjian_xlsx` is the command line
    if len(parts) == 1 and (ROOT / PACKAGE / f"{parts[0]}.py").exists():
        return parts[0] if parts[0] in FLOW else ""
    return parts[0]


def against_flow(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    rank = {name: i for i, name in enumerate(FLOW)}
    bad = []
    for source, targets in edges.items():
        for target in targets:
            s, t = stage(source), stage(target)
            if s in rank and t in rank and rank[t] > rank[s]:
                bad.append((source, target))
    return sorted(bad)


def main(argv: list[str]) -> int:
    edges = graph()
    edges.pop(PACKAGE, None)
    for targets in edges.values():
        targets.discard(PACKAGE)
    comps = components(edges)
    circles = [c for c in comps if len(c) > 1]
    lev = levels(edges, comps)
    back = against_flow(edges)
    print(f"modules: {len(edges)}")
    print(f"imports: {sum(len(t) for t in edges.values())}")
    print(f"levels: {max(lev.values()) + 1 if lev else 0}")
    print(f"circles: {len(circles)}" + "".join(f"\n  {' <-> '.join(c)}" for c in circles))
    print(f"against the flow: {len(back)}" + "".join(f"\n  {s} -> {t}" for s, t in back))
    if "--edges" in argv:
        for source in sorted(edges, key=lambda m: (lev[m], m)):
            print(f"{lev[source]:2} {source}: {', '.join(sorted(edges[source]))}")
    return 1 if circles or back else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
