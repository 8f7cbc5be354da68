"""One Stripe boundary: only checkout.stripe_gateway calls Stripe's API (checkout.stripe_client builds its
client and verifies webhook signatures). Any other module of the shop that imports the stripe library,
builds or fetches the client, or reaches for a resource through `.v1` fails here; Stripe's errors are
caught as the gateway's (`stripe_gateway.StripeError`, `InvalidRequest`, `SignatureError`). Every import
and attribute counts, wherever it sits, as in tests/test_layout.py."""

import ast
from pathlib import Path

import pytest

from tests.test_layout import APPS, _modules

BOUNDARY = {"checkout.stripe_gateway", "checkout.stripe_client"}
# Modules that still call Stripe themselves, to be moved behind the gateway (none now). The list only
# shrinks: an entry that no longer calls Stripe fails `test_the_list_of_modules_still_to_move_is_not_stale`.
NOT_MOVED_YET: set[str] = set()
# What the client module offers that only the boundary may use.
CLIENT_NAMES = {"stripe_client", "_client"}


def stripe_uses(source: str) -> list[str]:
    """How this source talks to Stripe directly, one line per use ([] when it does not)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"imports {a.name}" for a in node.names if a.name.split(".")[0] == "stripe"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "stripe":
                found.append(f"imports from {node.module}")
            elif node.module == "checkout.stripe_client":
                found += [
                    f"imports {a.name} from {node.module}" for a in node.names if a.name in CLIENT_NAMES
                ]
        elif isinstance(node, ast.Attribute) and node.attr == "v1":
            found.append(f"line {node.lineno}: .v1")
        elif isinstance(node, ast.Attribute) and node.attr in CLIENT_NAMES and _names_stripe_client(node):
            found.append(f"line {node.lineno}: stripe_client.{node.attr}")
    return found


def _names_stripe_client(node: ast.Attribute) -> bool:
    return isinstance(node.value, ast.Name) and node.value.id == "stripe_client"


def _shop_modules() -> dict[str, Path]:
    return {name: path for app in sorted(APPS | {"config"}) for name, path in _modules(app).items()}


def test_only_the_gateway_calls_stripe():
    offenders = [
        f"{module} {use}"
        for module, path in _shop_modules().items()
        if module not in BOUNDARY | NOT_MOVED_YET
        for use in stripe_uses(path.read_text())
    ]

    assert offenders == []


def test_the_list_of_modules_still_to_move_is_not_stale():
    modules = _shop_modules()

    assert [
        m for m in sorted(NOT_MOVED_YET) if m not in modules or not stripe_uses(modules[m].read_text())
    ] == []


@pytest.mark.parametrize(
    "source",
    [
        "import stripe\n",
        "def f():\n    import stripe.error\n",
        "from stripe import InvalidRequestError\n",
        "def f():\n    from checkout.stripe_client import stripe_client\n",
        "from checkout import stripe_client\nstripe_client.stripe_client()\n",
        "def f(client):\n    return client.v1.invoices.retrieve('in_1')\n",
    ],
)
def test_the_check_sees_each_way_of_calling_stripe(source):
    assert stripe_uses(source) != []


def test_the_check_lets_the_gateway_and_the_sandbox_be_used():
    source = (
        "from checkout import stripe_gateway\n"
        "from checkout.stripe_client import checkout_enabled, verified_event\n"
        "from checkout.stripe_gateway import StripeError\n"
        "import stripe_sandbox\n"
        "stripe_gateway.fetch_invoice('in_1')\n"
    )

    assert stripe_uses(source) == []
