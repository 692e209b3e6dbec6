"""The layout docs/architecture.md describes, checked from the code's own imports: no
module imports itself round a circle (a lazy import inside a function counts too), the
store never imports Textual or Rich, and each store area imports only from the areas
below it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_db

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("store", "kiosk", "tui")

LAYERS = (
    "db",
    "school",
    "records",
    "configuration",
    "problems",
    "service_levels",
    "servicedesk",
    "changes",
    "mail",
    "continuity",
    "finance",
    "demo",
)
"""The store's areas, lowest first (docs/architecture.md)."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imported(path: Path, known: set[str]) -> set[str]:
    """The project modules `path` imports, anywhere in it but under `if TYPE_CHECKING`."""
    tree = ast.parse(path.read_text(), str(path))
    skip = {id(n) for top in ast.walk(tree) if _type_checking(top) for n in ast.walk(top)}
    here = module_name(path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            # `from store.changes import approval` imports the module store.changes.approval;
            # `from store.db.models import Asset` imports store.db.models.
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != here:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    files = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    known = {module_name(p) for p in files}
    edges = {module_name(p): imported(p, known) for p in files}
    # Importing a package's module runs the package's __init__ first: not an edge of ours.
    return {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in edges.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_round_a_circle():
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_store_never_imports_textual_or_rich():
    for path in (ROOT / "store").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert name.split(".")[0] not in ("textual", "rich"), f"{path}: {name}"


def area(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "store" and len(parts) > 2 else None


def test_each_store_area_imports_only_from_the_areas_below_it():
    wrong = []
    for module, deps in graph().items():
        mine = area(module)
        if mine is None:
            continue
        for dep in deps:
            theirs = area(dep)
            if theirs is not None and LAYERS.index(theirs) > LAYERS.index(mine):
                wrong.append(f"{module} imports {dep}")
    assert wrong == []


def test_every_store_area_is_a_layer_and_the_store_has_no_loose_modules():
    areas = {p.name for p in (ROOT / "store").iterdir() if (p / "__init__.py").exists()}
    assert areas == set(LAYERS)
    loose = [p.name for p in (ROOT / "store").glob("*.py") if p.name != "__init__.py"]
    assert loose == []


def test_nothing_in_the_project_imports_the_desk_app_but_its_command():
    importers = sorted(m for m, deps in graph().items() if "tui.app" in deps)
    assert importers == ["tui.cli.desk"]


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_says_what_it_is_for(package):
    for init in (ROOT / package).rglob("__init__.py"):
        if init.parent.name == "migrations":
            continue
        assert ast.get_docstring(ast.parse(init.read_text())), f"{init} has no docstring"


def test_the_code_cites_the_projects_own_docs_not_tickets_or_outside_files():
    """Comments and docstrings point a newcomer at docs/, which they have: not at an issue
    tracker's numbers or at a design file that is not in the repository."""
    cited = re.compile(r"DESIGN\.md|\(issue \d+\)|\bissue #?\d+\b", re.IGNORECASE)
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in (*PACKAGES, "tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "test_layout.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if cited.search(line)
    ]
    assert found == []
