"""Which invoice pages the shop stores and links to: Stripe's https pages always; the local sandbox's http
pages only while developing against it on this machine (`make run`)."""

import pytest
from django.core.cache import cache

from checkout.stripe_values import stripe_page_url
from tests.checkout.payreq_helpers import payer_link, send_request

SANDBOX = "http://127.0.0.1:12111"


def test_https_pages_are_kept_whatever_the_settings(settings):
    settings.DEBUG = False
    assert (
        stripe_page_url("https://invoice.stripe.com/i/acct_1/test_x")
        == "https://invoice.stripe.com/i/acct_1/test_x"
    )


def test_the_sandboxs_http_page_is_kept_while_developing_against_it(settings):
    settings.DEBUG = True
    settings.STRIPE_API_BASE = SANDBOX
    assert stripe_page_url(f"{SANDBOX}/i/in_123") == f"{SANDBOX}/i/in_123"


@pytest.mark.parametrize(
    ("debug", "api_base", "url"),
    [
        (False, SANDBOX, f"{SANDBOX}/i/in_123"),  # production settings: https only
        (True, "https://api.stripe.com", "http://api.stripe.com/i/in_123"),  # real Stripe: https only
        (True, "http://10.0.0.5:12111", "http://10.0.0.5:12111/i/in_123"),  # not this machine
        (True, SANDBOX, "http://127.0.0.1:8000/i/in_123"),  # another port than the sandbox's
        (True, SANDBOX, "http://evil.example/i/in_123"),  # another host
        (True, SANDBOX, "javascript:alert(1)"),
        (True, SANDBOX, ""),
        (True, SANDBOX, None),
        (True, SANDBOX, "https://"),
    ],
)
def test_anything_else_is_not_linked(settings, debug, api_base, url):
    settings.DEBUG = debug
    settings.STRIPE_API_BASE = api_base
    assert stripe_page_url(url) == ""


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_the_payers_page_links_the_sandboxs_invoice_page_only_while_developing(
    debug, client, catalog, fake_stripe, run_tasks, settings
):
    cache.clear()  # the daily limit on request emails counts in the cache
    settings.DEBUG = debug
    fake_stripe.invoice_pages = True  # as under `make run`: the sandbox serves /i/<invoice id> over http
    try:
        send_request(client)
        run_tasks()
        client.post(payer_link(), {"action": "invoice"})
        run_tasks()
    finally:
        fake_stripe.invoice_pages = False

    page = client.get(payer_link()).content.decode()
    assert "Invoice CPMA-" in page
    assert (f'href="{fake_stripe.url}/i/in_test_' in page) is debug
