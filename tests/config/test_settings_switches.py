"""Yes/no settings are strict: a value we cannot read stops start-up with an error naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SWITCHES = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_COOKIES",
    "PUBLIC_CACHE_ENABLED",
    "DISABLE_SERVER_SIDE_CURSORS",
]


def settings_with(**overrides: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBUG": "true", **overrides}
    code = "import config.settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.PUBLIC_CACHE_ENABLED)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "ture"), ("SECURE_SSL_REDIRECT", "yes please")])
def test_an_unreadable_switch_stops_start_up_naming_the_variable(name, value):
    result = settings_with(**{name: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} must be one of" in result.stderr


@pytest.mark.parametrize("name", SWITCHES)
def test_every_switch_is_strict(name):
    assert settings_with(**{name: "maybe"}).returncode != 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", "True"), ("Yes", "True"), ("1", "True"), ("off", "False"), ("0", "False")],
)
def test_the_usual_spellings_are_understood(value, expected):
    result = settings_with(SECURE_SSL_REDIRECT=value)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == expected


def test_an_empty_switch_means_its_default():
    result = settings_with(PUBLIC_CACHE_ENABLED="")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[2] == "True"
