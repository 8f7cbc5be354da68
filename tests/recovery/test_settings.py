"""The reminder settings are checked at start-up, naming the variable."""

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
