"""The documentation keeps up with the code: every setting read from the environment is in
docs/operations.md, every management command is named in README.md or a docs/ page, README.md stays a
short front door whose links to docs/ lead somewhere, every background task and every webhook event type
handled is documented, and every module, attribute or source file the docs name exists. No database
needed."""

import ast
import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "config" / "settings.py"
README = ROOT / "README.md"
DOCS = ROOT / "docs"


def _is_env(node: ast.expr) -> bool:
    """`env` itself, or any of its readers: env.bool, env.int, env.str, env.list, env.db, env.cache, ..."""
    if isinstance(node, ast.Name):
        return node.id == "env"
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "env"


def _is_os_environ(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _first_string(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _env_helpers(tree: ast.Module) -> set[str]:
    """Functions of the settings module that read the variable named by their first parameter, such as
    `env_bool(name, ...)`, which calls `env.str(name, ...)`: a call to one of them reads that variable too."""
    helpers = set()
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef) or not function.args.args:
            continue
        parameter = function.args.args[0].arg
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and (_is_env(node.func) or _is_os_environ_get(node.func))
                and node.args
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id == parameter
            ):
                helpers.add(function.name)
    return helpers


def _is_os_environ_get(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute) and node.attr in {"get", "setdefault"} and _is_os_environ(node.value)
    )


def environment_variables() -> set[str]:
    """Every variable name config/settings.py reads from the environment."""
    tree = ast.parse(SETTINGS.read_text())
    helpers = _env_helpers(tree)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            reads = (
                _is_env(func)
                or _is_os_environ_get(func)
                or (isinstance(func, ast.Name) and func.id in helpers | {"getenv"})
                or (isinstance(func, ast.Attribute) and func.attr == "getenv")
            )
            if reads and (name := _first_string(node)):
                names.add(name)
        elif (
            isinstance(node, ast.Subscript)
            and _is_os_environ(node.value)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            names.add(node.slice.value)
    return names


def test_the_settings_parser_finds_the_environment_variables():
    names = environment_variables()

    assert len(names) >= 30
    assert {"SECRET_KEY", "STRIPE_SECRET_KEY", "DEBUG", "DATABASE_URL", "SITE_CONTACT_EMAIL"} <= names


def test_every_environment_variable_is_in_the_operations_page():
    operations = (DOCS / "operations.md").read_text()

    missing = sorted(name for name in environment_variables() if f"`{name}" not in operations)

    assert missing == []


def management_commands() -> set[str]:
    return {
        path.stem
        for path in ROOT.glob("*/management/commands/*.py")
        if ".venv" not in path.parts and path.stem != "__init__"
    }


def test_every_management_command_is_documented():
    commands = management_commands()
    text = "\n".join(path.read_text() for path in [README, *sorted(DOCS.glob("*.md"))])

    undocumented = sorted(
        name for name in commands if f"manage.py {name}" not in text and f"`{name}`" not in text
    )

    assert len(commands) >= 10
    assert undocumented == []


def test_the_readme_is_a_short_front_door():
    lines = README.read_text().splitlines()

    assert len(lines) <= 300


def test_every_docs_link_in_the_readme_leads_to_a_page():
    links = re.findall(r"\(((?:\./)?docs/[^)#\s]+\.md)(?:#[^)\s]*)?\)", README.read_text())

    assert links, "README.md links to no docs/ page"
    assert [link for link in links if not (ROOT / link).is_file()] == []


# The project's own packages: a dotted name in the docs that starts with one of these names code.
PACKAGES = {
    "common", "tax", "catalog", "checkout", "payments", "invoicing", "access", "learning", "teams", "finance",
    "faq", "pages", "recovery", "credit_notes", "corrections", "config", "stripe_sandbox", "tests",
}  # fmt: skip
DOC_PAGES = sorted(DOCS.glob("*.md"))
ALL_PAGES = [README, *DOC_PAGES, ROOT / "deploy" / "README.md"]


def retrying_tasks() -> set[str]:
    """The dotted path of every function decorated with `@retrying_task` (bare or called) in the application.
    The suite's own tasks (tests/) are helpers for outage tests, not work the shop does."""
    paths = set()
    for path in sorted(path for package in PACKAGES - {"tests"} for path in (ROOT / package).rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                if name == "retrying_task":
                    paths.add(f"{module}.{node.name}")
    return paths


def test_every_background_task_is_in_the_task_tables():
    tasks = retrying_tasks()
    text = (DOCS / "payments.md").read_text() + (DOCS / "teams.md").read_text()

    missing = sorted(path for path in tasks if f"`{path}`" not in text)

    assert len(tasks) >= 20, tasks  # the scan really finds the tasks of every app
    assert {"payments.tasks.handle_stripe_event", "invoicing.issuing.issue_request_invoice"} <= tasks
    assert {"access.tasks.converge_access", "teams.tasks.send_seat_reminder_email"} <= tasks
    assert missing == []


def test_every_webhook_event_type_handled_is_in_the_payments_page():
    from django.conf import settings

    from payments.events import HANDLERS

    text = (DOCS / "payments.md").read_text()
    handled = [*HANDLERS, *settings.STRIPE_EVENT_EXTRAS]

    missing = sorted(event_type for event_type in handled if f"`{event_type}`" not in text)

    assert len(HANDLERS) >= 20
    assert missing == []


# A dotted name starting with one of the packages, not inside a URL or a path (`https://checkout.stripe.com`,
# `docs/payments.md`), ending before a non-name character (`checkout.tasks.…` reads `checkout.tasks`).
DOTTED = re.compile(r"(?<![\w./:-])((?:" + "|".join(sorted(PACKAGES)) + r")(?:\.[A-Za-z_]\w*)+)")
CHECK_ID = re.compile(r"\.[CEWI]\d{3}$")


def dotted_names() -> dict[str, str]:
    """Every dotted name in backticks on the README, a docs/ page or deploy/README.md, with the first place it
    is written."""
    found: dict[str, str] = {}
    for page in ALL_PAGES:
        text = page.read_text()
        for span in re.finditer(r"`([^`\n]+)`", text):
            for name in DOTTED.findall(span.group(1)):
                line = text.count("\n", 0, span.start()) + 1
                found.setdefault(name, f"{page.relative_to(ROOT)}:{line}")
    return found


def _permissions() -> set[str]:
    """`app.codename` of every model permission, default and declared (no database needed)."""
    from django.apps import apps

    names = set()
    for model in apps.get_models():
        meta = model._meta
        codenames = [f"{action}_{meta.model_name}" for action in meta.default_permissions]
        names |= {f"{meta.app_label}.{codename}" for codename in [*codenames, *dict(meta.permissions)]}
    return names


def _resolves(name: str) -> bool:
    """A module, or an attribute reached from the longest importable module prefix."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(found, attribute):
                return False
            found = getattr(found, attribute)
        return True
    return False


def _names_something_else(name: str) -> bool:
    """Dotted names that are not code paths: Stripe event types, system check ids, model labels, permission
    names, and task paths from before the split (which the worker still follows)."""
    from django.apps import apps
    from django.conf import settings

    from payments.events import HANDLERS

    if name in HANDLERS or CHECK_ID.search(name) or name in _permissions():
        return True
    if any(old == name or old.startswith(f"{name}.") for old in settings.TASK_PATH_ALIASES):
        return True
    label, _, model = name.partition(".")
    try:
        apps.get_model(label, model)
    except (LookupError, ValueError):
        return False
    return True


def test_the_dotted_name_scan_finds_the_code_the_docs_name():
    names = dotted_names()

    assert len(names) >= 60, sorted(names)
    assert {"payments.sync", "access.grants", "payments.events", "teams.seats._give"} <= set(names)


def test_every_dotted_name_in_the_docs_is_real_code():
    names = dotted_names()

    unknown = sorted(
        f"{where}: {name}"
        for name, where in names.items()
        if not _resolves(name) and not _names_something_else(name)
    )

    assert unknown == []


def test_every_source_file_named_in_the_docs_exists():
    paths = {}
    for page in ALL_PAGES:
        for span in re.findall(r"`([^`\n]+)`", page.read_text()):
            for path in re.findall(
                r"(?<![\w./-])((?:" + "|".join(sorted(PACKAGES)) + r"|scripts)/[\w/.-]+\.\w+)", span
            ):
                paths.setdefault(path, page.relative_to(ROOT))

    assert len(paths) >= 20, sorted(paths)
    assert sorted(f"{page}: {path}" for path, page in paths.items() if not (ROOT / path).is_file()) == []
