"""The code layout shows the architecture: dependencies point one way, apps never import `config`, no two
apps import each other, `common` imports no app, no two modules anywhere import each other (directly or
around a circle), and no module or app outgrows what one reader can hold. Every import counts, wherever it
sits: a function-local import that dodges a cycle is still a cycle."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = {
    "common",
    "tax",
    "catalog",
    "checkout",
    "payments",
    "invoicing",
    "access",
    "learning",
    "teams",
    "faq",
    "pages",
    "finance",
    "recovery",
    "credit_notes",
    "corrections",
}
FIRST_PARTY = {*APPS, "config", "stripe_sandbox"}
# Which apps each app may use (docs/development.md "Code layout"): checkout <- payments <- invoicing,
# access <- learning <- teams, recovery and credit notes above payments and invoicing, finance reading them
# all. Everything else first-party is forbidden to it, config included.
MAY_USE = {
    "catalog": {"common", "tax"},
    "faq": {"common", "tax", "catalog"},
    "pages": {"common", "tax", "catalog"},
    "checkout": {"common", "tax", "catalog"},
    "payments": {"common", "tax", "catalog", "checkout"},
    "invoicing": {"common", "tax", "catalog", "checkout", "payments"},
    "access": {"common", "tax", "catalog", "checkout", "payments", "invoicing"},
    # Above access (the course platform's word on a grant's holder); teams shows it on the roster.
    "learning": {"common", "tax", "catalog", "checkout", "access"},
    "teams": {"common", "tax", "catalog", "checkout", "payments", "invoicing", "access", "learning"},
    # Above payments and invoicing, beside each other; finance reads them for the dashboard and exports.
    "recovery": {"common", "tax", "catalog", "checkout", "payments", "invoicing"},
    "credit_notes": {"common", "tax", "catalog", "checkout", "payments", "invoicing"},
    # Corrections of issued invoices: above credit notes (it issues them) and access (the buyer's page).
    "corrections": {
        "common",
        "tax",
        "catalog",
        "checkout",
        "payments",
        "invoicing",
        "access",
        "credit_notes",
    },
    "finance": APPS - {"faq", "pages", "finance"},
}
FORBIDDEN = {
    "common": FIRST_PARTY - {"common"},
    # Tax IDs sit low, on common only, so checkout, payments and invoicing may all use them.
    "tax": FIRST_PARTY - {"common", "tax"},
    **{app: FIRST_PARTY - {app, "stripe_sandbox"} - uses for app, uses in MAY_USE.items()},
}
# Every package of the application whose modules must not import each other in a circle.
PACKAGES = sorted(FIRST_PARTY)
MAX_MODULE_LINES = 300
MAX_APP_LINES = 3000


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


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module an imported name lives in (`checkout.models.Order` -> `checkout.models`)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _module_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Which of `modules` each one imports, relative imports and imports inside functions included."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
                targets |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
        graph[name] = {found for t in targets if (found := _resolve(t, modules)) and found != name}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that reach each other (strongly connected components of more than one)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _all_modules() -> dict[str, Path]:
    return {name: path for package in PACKAGES for name, path in _modules(package).items()}


def test_no_two_modules_import_each_other_directly_or_around_a_circle():
    assert _circles(_module_graph(_all_modules())) == []


def test_the_circle_check_sees_relative_and_function_local_imports(tmp_path):
    """A circle closed by a relative import inside a function is found, as one closed at the top is."""
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "a.py").write_text("from shop import b\n")
    (tmp_path / "shop" / "b.py").write_text("def f():\n    from . import c\n")
    (tmp_path / "shop" / "c.py").write_text("import shop.a\n")
    (tmp_path / "shop" / "d.py").write_text("from shop.a import thing\n")
    modules = {
        f"shop.{path.stem}" if path.stem != "__init__" else "shop": path
        for path in (tmp_path / "shop").glob("*.py")
    }

    assert _circles(_module_graph(modules)) == [["shop.a", "shop.b", "shop.c"]]


def _lines(path: Path) -> int:
    return path.read_text().count("\n")


def test_no_module_is_longer_than_one_reader_can_hold():
    too_long = {
        name: _lines(path)
        for name, path in _all_modules().items()
        if _lines(path) > MAX_MODULE_LINES and name != "config.settings"
    }

    assert too_long == {}


def test_no_app_outgrows_one_room():
    sizes = {package: sum(_lines(path) for path in _modules(package).values()) for package in PACKAGES}

    assert {package: size for package, size in sizes.items() if size > MAX_APP_LINES} == {}
    assert sizes["checkout"] > 0 and sizes["payments"] > 0  # the sizes are really counted


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
