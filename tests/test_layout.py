"""The package layout: no import cycle inside `campaign/` (module-level or lazy, TYPE_CHECKING
blocks aside), no stage importing a later one, and only the CLI importing click."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "campaign"

# Each stage may import only the stages listed before it (and itself).
ORDER = ["errors", "models", "redact", "tid", "platforms", "config", "article", "highlights",
         "posts", "cards", "plan", "queue", "publish", "report", "review", "pack", "serve", "summary", "pipeline", "cli",
         "__main__"]


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """Every campaign module `module` imports at run time, lazily or not."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            for a in node.names:
                if f"{name}.{a.name}" in known:
                    found.add(f"{name}.{a.name}")
                elif name in known:
                    found.add(name)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(module)
    return found


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    return {m: _imports(m, p, set(mods)) for m, p in mods.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_stage_imports_a_later_one() -> None:
    late = []
    for module, deps in _graph().items():
        mine = _stage(module)
        if mine == "__init__":
            continue
        for dep in deps:
            theirs = _stage(dep)
            if theirs != "__init__" and ORDER.index(theirs) > ORDER.index(mine):
                late.append(f"{module} -> {dep}")
    assert late == []


def test_every_module_has_a_stage() -> None:
    assert {_stage(m) for m in _modules()} - {"__init__"} <= set(ORDER)


def test_only_the_cli_imports_click() -> None:
    users = [m for m, p in _modules().items()
             if not m.startswith("campaign.cli") and "import click" in p.read_text(encoding="utf-8")]
    assert users == []


def test_every_package_says_what_it_owns() -> None:
    for init in ROOT.rglob("__init__.py"):
        if init.parent.name in ("templates", "data"):
            continue
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 30, f"{init} has no docstring saying what it owns"
