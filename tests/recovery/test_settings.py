"""The reminder settings are checked at start-up, naming the variable; unset, they take the issue's defaults."""

import os
import subprocess
import sys

import pytest

from tests.checkout.test_settings import import_settings


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CHECKOUT_SESSION_MINUTES", "29"),
        ("CHECKOUT_SESSION_MINUTES", "1441"),
        ("RECOVERY_HOLDOUT_PERCENT", "-1"),
        ("RECOVERY_HOLDOUT_PERCENT", "51"),
        ("RECOVERY_REMINDER_WINDOW_DAYS", "0"),
        ("RECOVERY_ALLOW_PROMOTION_CODES", "ture"),
    ],
)
def test_a_value_out_of_range_stops_start_up(name, value):
    result = import_settings(**{name: value})

    assert result.returncode != 0
    assert name in result.stderr


def test_the_limits_themselves_are_accepted():
    result = import_settings(CHECKOUT_SESSION_MINUTES="30", RECOVERY_HOLDOUT_PERCENT="50")

    assert result.returncode == 0, result.stderr


def test_unset_the_session_lasts_two_hours_and_a_tenth_is_held_out():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CHECKOUT_", "RECOVERY_"))}
    env.update(DEBUG="true", STRIPE_SECRET_KEY="", STRIPE_PUBLISHABLE_KEY="")
    code = (
        "import config.settings as s; print(s.CHECKOUT_SESSION_MINUTES, s.RECOVERY_HOLDOUT_PERCENT, "
        "s.RECOVERY_ALLOW_PROMOTION_CODES)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True
    )

    assert result.stdout.split() == ["120", "10", "False"]
