"""The settings side of the sandbox: the CSP follows STRIPE_API_BASE to the sandbox's payment page, and
production settings refuse the sandbox's key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def settings_with(**overrides: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("STRIPE_")}
    env.update({"DEBUG": "true", **overrides})
    code = "import config.settings as s; print(s.STRIPE_CHECKOUT_ORIGIN)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("api_base", "origin"),
    [
        (None, "https://checkout.stripe.com"),
        ("https://api.stripe.com", "https://checkout.stripe.com"),
        ("http://127.0.0.1:12111", "http://127.0.0.1:12111"),
        ("http://localhost:9000/", "http://localhost:9000"),
    ],
)
def test_the_checkout_origin_follows_the_api_base_when_unset(api_base, origin):
    result = settings_with(**({"STRIPE_API_BASE": api_base} if api_base else {}))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == origin


def test_a_checkout_origin_that_is_set_wins():
    result = settings_with(
        STRIPE_API_BASE="http://127.0.0.1:12111", STRIPE_CHECKOUT_ORIGIN="https://pay.example"
    )

    assert result.stdout.strip() == "https://pay.example"


def test_production_settings_refuse_the_sandbox_key():
    production = {"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "shop.example.com"}
    sandbox = {
        "STRIPE_SECRET_KEY": "sk_test_local_sandbox",
        "STRIPE_WEBHOOK_SECRET": "whsec_local_sandbox_0123",
        "STRIPE_API_BASE": "http://127.0.0.1:12111",
    }

    refused = settings_with(**production, **sandbox)
    assert refused.returncode != 0
    assert "STRIPE_SECRET_KEY is the local Stripe sandbox's key" in refused.stderr

    assert settings_with(**sandbox).returncode == 0  # make run, DEBUG on
    assert settings_with(**{**production, **sandbox, "STRIPE_SECRET_KEY": "sk_test_account"}).returncode == 0
