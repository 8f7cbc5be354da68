"""The documentation keeps up with the code: every setting read from the environment is in
docs/operations.md, every management command is named in README.md or a docs/ page, and README.md stays a
short front door whose links to docs/ lead somewhere. No database needed."""

import ast
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
