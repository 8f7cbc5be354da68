"""The sandbox is checkout's fake Stripe with a payment page and webhooks: its tests use checkout's
fixtures."""

from tests.checkout.conftest import buy, fake_stripe, stripe_server  # noqa: F401  (fixtures used by these tests)
