"""Test mode only: the settings refuse live Stripe keys at start-up, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def import_settings(**overrides: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBUG": "true", "STRIPE_SECRET_KEY": "", "STRIPE_PUBLISHABLE_KEY": "", **overrides}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("key", ["sk_live_abc123", "rk_live_abc123"])
def test_live_secret_key_is_refused_naming_the_variable(key):
    result = import_settings(STRIPE_SECRET_KEY=key)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "STRIPE_SECRET_KEY" in result.stderr
    assert key not in result.stderr


def test_live_publishable_key_is_refused_naming_the_variable():
    result = import_settings(STRIPE_PUBLISHABLE_KEY="pk_live_abc123")

    assert result.returncode != 0
    assert "STRIPE_PUBLISHABLE_KEY" in result.stderr


def test_test_keys_and_no_keys_are_accepted():
    assert (
        import_settings(
            STRIPE_SECRET_KEY="sk_test_abc",
            STRIPE_PUBLISHABLE_KEY="pk_test_abc",
            STRIPE_WEBHOOK_SECRET="whsec_x",
        ).returncode
        == 0
    )
    assert import_settings().returncode == 0
