"""SITE_CONTACT_EMAIL and ORDER_REPLY_TO_EMAIL: plain addresses, checked at start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def settings_value(name: str, **overrides: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SITE_CONTACT_EMAIL", "ORDER_REPLY_TO_EMAIL")
    }
    env.update(DEBUG="true", **overrides)
    return subprocess.run(
        [sys.executable, "-c", f"import config.settings as s; print(s.{name})"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_reply_to_defaults_to_the_contact_address():
    result = settings_value("ORDER_REPLY_TO_EMAIL", SITE_CONTACT_EMAIL="help@academy.example")

    assert result.stdout.strip() == "help@academy.example"


def test_reply_to_can_be_set_apart_from_the_contact_address():
    result = settings_value(
        "ORDER_REPLY_TO_EMAIL",
        SITE_CONTACT_EMAIL="help@academy.example",
        ORDER_REPLY_TO_EMAIL="orders@academy.example",
    )

    assert result.stdout.strip() == "orders@academy.example"


@pytest.mark.parametrize("name", ["SITE_CONTACT_EMAIL", "ORDER_REPLY_TO_EMAIL"])
def test_an_address_that_is_not_an_email_stops_the_app_naming_the_variable(name):
    result = settings_value(name, **{name: "CPMA <help@academy.example>"})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr
