"""The code layout shows the architecture: dependencies point one way, apps never import `config`, no two
apps import each other, `common` imports no app, and catalog and faq have no import cycles. Every import
counts, wherever it sits: a function-local import that dodges a cycle is still a cycle."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = {"common", "catalog", "checkout", "access", "teams", "faq", "pages", "finance"}
FIRST_PARTY = {*APPS, "config"}
# What each app must never import (ARCHITECTURE.md, "Apps and what each knows").
FORBIDDEN = {
    "common": FIRST_PARTY - {"common"},
    "catalog": {"checkout", "access", "teams", "finance", "faq", "pages", "config"},
    "faq": {"checkout", "access", "teams", "finance", "pages", "config"},
    "pages": {"checkout", "access", "teams", "finance", "faq", "config"},
    "checkout": {"access", "teams", "finance", "faq", "pages", "config"},
    "access": {"teams", "finance", "faq", "pages", "config"},
    "teams": {"finance", "faq", "pages", "config"},
    "finance": {"faq", "pages", "config"},
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


def _cycles(*packages: str) -> list[str]:
    """Every circle of imports among the modules of `packages`, each as "a -> b -> a"."""
    modules = {name: path for package in packages for name, path in _modules(package).items()}
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
    return cycles


def test_catalog_and_faq_have_no_import_cycles():
    assert _cycles("catalog", "faq") == []


def test_access_and_teams_have_no_import_cycles():
    """The seat manager moved out of access to end a circle of five access modules; none may come back."""
    assert _cycles("access", "teams") == []


def _app_imports() -> dict[str, set[str]]:
    return {
        app: {
            imported.split(".")[0]
            for path in _modules(app).values()
            for imported in _imports(path)
            if imported.split(".")[0] in APPS - {app}
        }
        for app in APPS
    }


def test_no_two_apps_import_each_other():
    graph = _app_imports()

    both_ways = sorted(f"{a} <-> {b}" for a in graph for b in graph[a] if a < b and a in graph[b])

    assert both_ways == []


def test_the_app_graph_has_no_cycle_of_any_length():
    graph = _app_imports()
    done: set[str] = set()

    def reaches_itself(app: str, trail: tuple[str, ...]) -> list[str]:
        if app in trail:
            return [" -> ".join([*trail[trail.index(app) :], app])]
        if app in done:
            return []
        found = [cycle for target in sorted(graph[app]) for cycle in reaches_itself(target, (*trail, app))]
        done.add(app)
        return found

    assert [cycle for app in sorted(graph) for cycle in reaches_itself(app, ())] == []


def test_the_checks_see_function_local_imports(tmp_path):
    """The parser counts an import inside a function body, the way checkout once reached access."""
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from access import tasks\n    import finance.export\n")

    assert _imports(module) == {"access", "access.tasks", "finance.export"}
