"""Stripe settings are checked as written: whitespace around a key stops start-up with a clear message, a
live key is recognised even inside whitespace, and the webhook secret must be one (`whsec_`)."""

import pytest

from tests.checkout.test_settings import import_settings

TEST_KEYS = {
    "STRIPE_SECRET_KEY": "sk_test_abc",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_abc",
    "STRIPE_WEBHOOK_SECRET": "whsec_abc",
}


@pytest.mark.parametrize("key", [" sk_live_abc123", "sk_live_abc123\n", "\trk_live_abc123 "])
def test_a_live_secret_key_is_refused_even_inside_whitespace(key):
    result = import_settings(**{**TEST_KEYS, "STRIPE_SECRET_KEY": key})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "STRIPE_SECRET_KEY is a live-mode key" in result.stderr
    assert key.strip() not in result.stderr


def test_a_live_publishable_key_is_refused_even_inside_whitespace():
    result = import_settings(**{**TEST_KEYS, "STRIPE_PUBLISHABLE_KEY": " pk_live_abc123"})

    assert result.returncode != 0
    assert "STRIPE_PUBLISHABLE_KEY is a live-mode key" in result.stderr


@pytest.mark.parametrize("name", sorted(TEST_KEYS))
@pytest.mark.parametrize("padding", [" {}", "{} ", "{}\n", "\t{}"])
def test_whitespace_around_a_stripe_value_stops_start_up_naming_it(name, padding):
    result = import_settings(**{**TEST_KEYS, name: padding.format(TEST_KEYS[name])})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} has spaces or line breaks around it" in result.stderr
    assert TEST_KEYS[name] not in result.stderr


@pytest.mark.parametrize("secret", ["abc123", "sk_test_abc", "WHSEC_abc", "we_abc"])
def test_a_webhook_secret_not_starting_whsec_is_refused(secret):
    result = import_settings(**{**TEST_KEYS, "STRIPE_WEBHOOK_SECRET": secret})

    assert result.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET must start with whsec_" in result.stderr
    assert secret not in result.stderr


def test_clean_test_keys_start():
    result = import_settings(**TEST_KEYS)

    assert result.returncode == 0, result.stderr
