"""The daily limit on payment request emails per client address counts each client behind the load balancer
(TRUSTED_PROXIES), not the balancer, and a forged X-Forwarded-For from elsewhere does not reset it."""

import pytest
from django.test import Client

from invoicing.models import PaymentRequest
from tests.checkout.payreq_helpers import fresh_request_throttle, send_request  # noqa: F401  (the fixture: autouse)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_request_per_address(settings):
    settings.PAYMENT_REQUEST_LIMIT_PER_IP = 1
    settings.PAYMENT_REQUEST_LIMIT_PER_PAYER = 100
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]


def test_two_buyers_behind_the_balancer_each_get_their_own_limit(catalog, fake_stripe):
    first = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")
    second = Client(REMOTE_ADDR="10.0.0.6", HTTP_X_FORWARDED_FOR="198.51.100.7")

    statuses = [send_request(c, quantity=n)[0].status_code for c, n in ((first, 2), (second, 3), (first, 4))]

    assert statuses == [303, 303, 429]
    assert PaymentRequest.objects.count() == 2


def test_a_forged_header_from_an_untrusted_address_is_ignored(catalog, fake_stripe):
    def forged(n: int) -> Client:
        return Client(REMOTE_ADDR="192.0.2.66", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

    statuses = [send_request(forged(n), quantity=n)[0].status_code for n in (2, 3)]

    assert statuses == [303, 429]
