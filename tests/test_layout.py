"""The code layout shows the architecture: dependencies point one way, apps never import `config`, and
catalog and faq have no import cycles (lazy imports inside functions count too)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"catalog", "checkout", "faq", "finance", "config"}
# What each app must never import (ARCHITECTURE.md, "Apps and what each knows").
FORBIDDEN = {
    "catalog": {"checkout", "finance", "faq", "config"},
    "faq": {"checkout", "finance", "config"},
    "checkout": {"finance", "config"},
}


def _modules(package: str) -> dict[str, Path]:
    modules = {}
    for path in (ROOT / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def _imports(path: Path) -> set[str]:
    """Every first-party module this file imports, wherever the import statement sits."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] in FIRST_PARTY}


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_apps_import_only_what_they_may(app):
    offenders = [
        f"{module} imports {imported}"
        for module, path in _modules(app).items()
        for imported in sorted(_imports(path))
        if imported.split(".")[0] in FORBIDDEN[app]
    ]

    assert offenders == []


def test_catalog_and_faq_have_no_import_cycles():
    modules = {**_modules("catalog"), **_modules("faq")}
    graph = {
        name: {i for i in _imports(path) if i in modules and i != name} for name, path in modules.items()
    }
    cycles = []

    def visit(name: str, trail: list[str]) -> None:
        for target in graph[name]:
            if target in trail:
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif len(trail) < len(graph):
                visit(target, [*trail, target])

    for start in graph:
        visit(start, [start])

    assert cycles == []
